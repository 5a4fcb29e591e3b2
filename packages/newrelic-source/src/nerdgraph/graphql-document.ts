/**
 * The one GraphQL document the source sends. It is a constant: the NRQL, the account id and the
 * timeout travel only as variables (`$nrql`, `$accountId`, `$timeout`), so nothing a caller puts
 * in a selector or raw query can reach the GraphQL text.
 */
export const NRQL_QUERY_DOCUMENT =
  'query($accountId: Int!, $nrql: Nrql!, $timeout: Seconds) { actor { account(id: $accountId) { nrql(query: $nrql, timeout: $timeout) { results } } } }';

/** The variables of {@link NRQL_QUERY_DOCUMENT}. */
export interface NrqlQueryVariables {
  readonly accountId: number;
  readonly nrql: string;
  /** Seconds NerdGraph may spend on the query (5..120). */
  readonly timeout: number;
}

/** The JSON body of one NerdGraph NRQL request. */
export function nerdGraphRequestBody(variables: NrqlQueryVariables): string {
  return JSON.stringify({
    query: NRQL_QUERY_DOCUMENT,
    variables: { accountId: variables.accountId, nrql: variables.nrql, timeout: variables.timeout },
  });
}
