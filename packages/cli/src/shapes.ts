/**
 * The JSON the CLI prints with --json. Each shape names its fields explicitly instead of passing
 * the SDK's objects through, so a field added to a GraphQL fragment never changes what scripts
 * read. Field names and enum values are the API's (`role: "READER"`), as in the SDK.
 */

export interface MemberJson {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
}

export function memberJson(m: { id: string; email: string; name: string; role: string; status: string }): MemberJson {
  return { id: m.id, email: m.email, name: m.name, role: m.role, status: m.status };
}
