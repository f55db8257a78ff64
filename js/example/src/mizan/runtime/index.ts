export { OutOfBounds, canonical, encode, queryString, text, type Inputs } from "./canonical";
export {
  MizanClient,
  MizanRequestError,
  csrfToken,
  parseInvalidate,
  type ClientOptions,
  type GraphQLErrorLike,
  type Invalidation,
  type Operation,
  type Schema,
  type Variable,
} from "./client";
export {
  MizanProvider,
  invalidate,
  queryKey,
  useContextField,
  useContextProvider,
  useMizan,
  useOperation,
  useOperationMutation,
  type ProviderProps,
} from "./react";
export { useForm, type FieldProps, type FormFields, type FormState } from "./form";
export { useChannel, type Channel } from "./channel";
