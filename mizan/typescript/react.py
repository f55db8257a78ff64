"""The React bindings (``index.ts``): the hooks and providers the seed names.

Each is a line or two over the runtime; what is generated is the names and types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mizan import naming
from mizan.contexts import GLOBAL, ContextDef
from mizan.definitions import ChannelDef, FunctionDef
from mizan.typescript.operations import Op, type_literal
from mizan.typescript.text import comment
from mizan.typescript.types import reference

if TYPE_CHECKING:
    from mizan.forms.spec import FormSpec

HEADER = """\
import { createElement, type ReactNode } from "react";
{imports}

export { MizanRequestError, useMizan } from "{runtime}";
export { schema } from "./operations";
"""

ROOT = """\
/** The root of the app: the API's endpoint and credentials, and the global context that
 * `{% mizan_hydrate %}` embedded in the page (read without a request). */
export function MizanProvider(props: ProviderProps): ReactNode {
  return createElement(mizan.MizanProvider, { ...props, schema: ops.schema });
}
"""

LIVE_ROOT = """\
/** The root of the app: the API's endpoint and credentials, and the global context that
 * `{% mizan_hydrate %}` embedded in the page (read without a request); with `live`, the
 * global context follows its subscription ({field}) instead of being fetched. */
export function MizanProvider(props: ProviderProps & { live?: boolean }): ReactNode {
  const live = props.live ? ops.{op} : undefined;
  return createElement(mizan.MizanProvider, { ...props, schema: ops.schema, live });
}
"""


class Bindings:
    def __init__(self, ops: dict[str, Op]) -> None:
        # Names are mizan.naming's; two things with one name were refused when the schema
        # was built (naming.check_names), so none is checked again here.
        self.ops = ops
        self.blocks: list[str] = []
        self.root = ROOT

    def global_function(self, definition: FunctionDef, bundle: Op) -> None:
        name = naming.hook_name(definition.name)
        result = self.ops[definition.operation_name].result
        self.blocks.append(
            f"{comment(definition.description)}export function {name}(): "
            f"UseQueryResult<{result}, MizanRequestError> {{\n"
            f"  return mizan.useContextField(ops.{bundle.name}, "
            f'"{definition.field_name}");\n}}\n'
        )

    def context(self, context: ContextDef, bundle: Op, live: Op | None = None) -> None:
        if context.name == GLOBAL:
            # No provider of its own: MizanProvider hydrates it, and follows it when live.
            if live:
                self.root = LIVE_ROOT.replace("{field}", live.field).replace("{op}", live.name)
            return
        provider = naming.provider_name(context.name)
        keys = [v for v in bundle.variables if v.python in context.key_params]
        extra = "live?: boolean; children?: ReactNode" if live else "children?: ReactNode"
        props = type_literal(keys)[:-1].rstrip() + f"; {extra} }}"
        if not keys:
            props = f"{{ {extra} }}"
        values = ", ".join(f"{v.name}: props.{v.name}" for v in keys)
        given = f"{{ {values} }}" if values else "{}"
        follow = f", props.live ? ops.{live.name} : undefined" if live else ""
        doc = f"Fetches context {context.name!r} ({bundle.path}) for the hooks below it"
        if live:
            doc += f"; with `live`, follows its subscription ({live.field}) instead"
        self.blocks.append(
            f"/** {doc}. */\n"
            f"export function {provider}(props: {props}): ReactNode {{\n"
            f"  return mizan.useContextProvider(ops.{bundle.name}, {given}, "
            f"props.children{follow});\n}}\n"
        )

    def context_function(self, definition: FunctionDef, context: ContextDef, bundle: Op) -> None:
        name = naming.hook_name(definition.name)
        own = self.ops[definition.operation_name]
        others = [v for v in own.variables if v.python not in context.key_params]
        head = f"{comment(definition.description)}export function {name}("
        tail = f"): UseQueryResult<{own.result}, MizanRequestError> {{\n"
        if others:
            self.blocks.append(
                f"{head}variables?: {type_literal(others)}{tail}"
                f'  return mizan.useContextField(ops.{bundle.name}, "{definition.field_name}", '
                f"ops.{own.name}, variables);\n}}\n"
            )
        else:
            self.blocks.append(
                f"{head}{tail}  return mizan.useContextField("
                f'ops.{bundle.name}, "{definition.field_name}");\n}}\n'
            )

    def query(self, definition: FunctionDef) -> None:
        name = naming.hook_name(definition.name)
        op = self.ops[definition.operation_name]
        optional = all(v.optional for v in op.variables)
        argument = f"variables{'?' if optional else ''}: {op.variables_type}"
        self.blocks.append(
            f"{comment(definition.description)}export function {name}({argument}): "
            f"UseQueryResult<{op.result}, MizanRequestError> {{\n"
            f"  return mizan.useOperation(ops.{op.name}, variables{' ?? {}' if optional else ''});"
            "\n}\n"
        )

    def mutation(self, definition: FunctionDef) -> None:
        name = naming.hook_name(definition.name)
        op = self.ops[definition.operation_name]
        self.blocks.append(
            f"{comment(definition.description)}export function {name}(): "
            f"UseMutationResult<{op.result}, MizanRequestError, {op.variables_type}> {{\n"
            f"  return mizan.useOperationMutation(ops.{op.name});\n}}\n"
        )

    def form(self, spec: FormSpec, validate: Op, submit: Op) -> None:
        name = naming.form_hook_name(spec.name)
        extra = [v for v in submit.variables if v.python != "data"]
        argument = f"variables?: {type_literal(extra)}" if extra else ""
        result = f"NonNullable<{submit.result}>['result']"
        self.blocks.append(
            f"/** The {spec.title} form: values, errors (checked on blur, by Zod then the "
            "server), submit. */\n"
            f"export function {name}({argument}): FormState<T.{spec.type_prefix}Input, "
            f"{result}> {{\n"
            f"  return mizan.useForm(ops.{validate.name}, ops.{submit.name}, "
            f"forms.{naming.form_schema_name(spec.name)}, "
            f"forms.{naming.form_fields_name(spec.name)}{', variables' if extra else ''});\n}}\n"
        )

    def channel(self, channel: ChannelDef, subscription: Op, send: Op | None) -> None:
        name = naming.channel_hook_name(channel.name)
        sent = "never"
        if send is not None:
            sent = next(
                (reference(v.type, "T.") for v in send.variables if v.python == "message"),
                "never",
            )
        optional = all(v.optional for v in subscription.variables)
        argument = f"params{'?' if optional else ''}: {subscription.variables_type}"
        self.blocks.append(
            f"{comment(channel.description)}export function {name}({argument}): "
            f"Channel<{subscription.result}, {sent}> {{\n"
            f"  return mizan.useChannel(ops.{subscription.name}, "
            f"{'ops.' + send.name if send else 'undefined'}, "
            f"params{' ?? {}' if optional else ''});\n}}\n"
        )

    def render(self, runtime: str, has_forms: bool) -> str:
        body = "".join(self.blocks)
        # Only what the bindings use: a project compiling with noUnusedLocals stays clean.
        query = [n for n in ("UseMutationResult", "UseQueryResult") if f"{n}<" in body]
        types = [n for n in ("Channel", "FormState") if f"{n}<" in body]
        errors = ["MizanRequestError"] if "MizanRequestError" in body else []
        lines = [
            f'import type {{ {", ".join(query)} }} from "@tanstack/react-query";' if query else "",
            f'import * as mizan from "{runtime}";',
            f'import type {{ {", ".join([*types, *errors, "ProviderProps"])} }} from "{runtime}";',
            'import * as ops from "./operations";',
            'import type * as T from "./types";' if "T." in body else "",
            'import * as forms from "./forms";' if has_forms else "",
        ]
        imports = "\n".join(line for line in lines if line)
        head = HEADER.replace("{runtime}", runtime).replace("{imports}", imports)
        return "\n".join([head, self.root, *self.blocks])
