// Imports every export: the bundle holds every operation.
import * as sdk from '@latchkey/sdk';

window.latchkey = sdk;
