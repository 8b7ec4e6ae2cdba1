// The baseline: @urql/core's client and fetch exchange alone, without the SDK.
import { Client, fetchExchange } from '@urql/core';

window.urql = new Client({ url: '/graphql', exchanges: [fetchExchange] });
