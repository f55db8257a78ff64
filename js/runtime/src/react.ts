import {
  QueryClient,
  QueryClientProvider,
  useMutation,
  useQuery,
  useQueryClient,
  type UseMutationResult,
  type UseQueryResult,
} from "@tanstack/react-query";
import { createContext, createElement, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { MizanClient, MizanRequestError, type ClientOptions, type Invalidation, type Operation, type Schema } from "./client";
import { text } from "./canonical";

type Vars = Record<string, unknown>;

interface Mizan {
  client: MizanClient;
  /** The key params of each context a provider above has fetched, by context name. */
  scopes: Record<string, Vars>;
  /** The contexts whose provider follows their live subscription (nothing to fetch). */
  live?: Record<string, boolean>;
}

const MizanContext = createContext<Mizan | null>(null);

export interface ProviderProps extends ClientOptions {
  children?: ReactNode;
  /** Your own QueryClient; by default one is made. */
  queryClient?: QueryClient;
  /** The global context's data; by default what `{% mizan_hydrate %}` embedded in the page. */
  hydrate?: unknown;
}

/** The root of a mizan front end: the client, TanStack Query, the hydrated global context;
 * with `live` (the global context's subscription), follows it instead of fetching the context. */
export function MizanProvider(props: ProviderProps & { schema: Schema; live?: Operation }): ReactNode {
  const { children, queryClient, hydrate, schema, live, ...options } = props;
  const [value] = useState(() => {
    const queries = queryClient ?? new QueryClient();
    const client = new MizanClient(schema, options, (items) => invalidate(queries, items));
    const embedded = typeof document == "undefined" ? null : document.getElementById("mizan-global")?.textContent;
    const data = hydrate === undefined && embedded ? JSON.parse(embedded) : hydrate;
    if (data && schema.global) queries.setQueryData(queryKey(client, schema.global, {}), data);
    return { queries, mizan: { client, scopes: {} } };
  });
  const following = useFollow(value.mizan.client, value.queries, schema.global, {}, live);
  const mizan = useMemo(
    () => (following ? { ...value.mizan, live: { [schema.global!.context!]: true } } : value.mizan),
    [following],
  );
  return createElement(
    QueryClientProvider,
    { client: value.queries },
    createElement(MizanContext.Provider, { value: mizan }, children),
  );
}

export function useMizan(): Mizan {
  const mizan = useContext(MizanContext);
  if (!mizan) throw new Error("mizan's hooks need a <MizanProvider> above them.");
  return mizan;
}

/** Refetch (when mounted) or mark stale every query of the item's context whose key params
 * include all of the item's params with equal canonical values. */
export function invalidate(queries: QueryClient, items: Invalidation[]): void {
  for (const { context, params } of items)
    void queries.invalidateQueries({
      predicate: ({ queryKey: [name, keys] }) =>
        name == context && Object.entries(params).every(([k, v]) => (keys as Record<string, string>)[k] == text(v)),
    });
}

/** `[context, key params, operation, other variables]`, values in canonical text. */
export function queryKey(client: MizanClient, op: Operation, vars: Vars): unknown[] {
  const keys: Vars = {};
  const rest: Vars = {};
  for (const [name, value] of Object.entries(client.canonical(op, vars))) (op.keys?.includes(name) ? keys : rest)[name] = value;
  return [op.context ?? "", keys, op.name, rest];
}

function options(client: MizanClient, op: Operation, vars: Vars) {
  return {
    queryKey: queryKey(client, op, vars),
    queryFn: () => client.request(op, vars),
    // A context is fresh until an invalidation says otherwise.
    staleTime: op.context ? Infinity : undefined,
  };
}

/** A query hook: the operation with these variables. */
export function useOperation<V, R>(op: Operation<V, R>, vars: V): UseQueryResult<R, MizanRequestError> {
  return useQuery(options(useMizan().client, op, vars as Vars));
}

/** A hook of a function in a context: its value in the bundle its provider fetched, or its own
 * query when called with other (non-key) values. */
export function useContextField<R>(
  bundle: Operation,
  field: string,
  own?: Operation<any, R>,
  vars?: Vars,
): UseQueryResult<R, MizanRequestError> {
  const { client, scopes, live } = useMizan();
  const keys = bundle.provider ? scopes[bundle.context!] : {};
  if (!keys) throw new Error(`use${field[0]!.toUpperCase() + field.slice(1)}() needs a <${bundle.provider}> above it.`);
  const alone = own && vars && Object.values(vars).some((v) => v !== undefined);
  return useQuery<any, MizanRequestError, R>(
    alone
      ? options(client, own, { ...vars, ...keys })
      : { ...options(client, bundle, keys), select: (data) => data[field], enabled: !live?.[bundle.context!] },
  );
}

/** A context's provider: fetches its bundle for these key params, for the hooks below it; with
 * `live`, follows its subscription instead (and fetches, as without, if the subscription fails). */
export function useContextProvider(bundle: Operation, keys: Vars, children: ReactNode, live?: Operation): ReactNode {
  const mizan = useMizan();
  const following = useFollow(mizan.client, useQueryClient(), bundle, keys, live);
  useQuery({ ...options(mizan.client, bundle, keys), enabled: !following });
  const id = JSON.stringify(keys);
  const value = useMemo(
    () => ({
      client: mizan.client,
      scopes: { ...mizan.scopes, [bundle.context!]: keys },
      live: { ...mizan.live, [bundle.context!]: following },
    }),
    [mizan, id, following],
  );
  return createElement(MizanContext.Provider, { value }, children);
}

/** Follows `live`, a context's subscription, writing each value where the hooks read the
 * bundle for these key params; true while it does, false without `live` or once it failed
 * (the hooks then fetch, as without it). */
function useFollow(client: MizanClient, queries: QueryClient, bundle: Operation | undefined, keys: Vars, live?: Operation): boolean {
  const [failed, setFailed] = useState(false);
  const following = !!bundle && !!live && !failed;
  useEffect(() => {
    if (!bundle || !live || failed) return undefined;
    const key = queryKey(client, bundle, keys);
    return client.subscribe(live, keys, {
      next: (data) => queries.setQueryData(key, data),
      error: () => setFailed(true),
      complete() {},
    });
  }, [following, JSON.stringify(keys)]);
  return following;
}

/** A mutation hook: `{ mutate, mutateAsync, isPending, error, data }`. */
export function useOperationMutation<V, R>(op: Operation<V, R>): UseMutationResult<R, MizanRequestError, V> {
  const { client } = useMizan();
  return useMutation({ mutationFn: (vars: V) => client.request(op, vars) });
}
