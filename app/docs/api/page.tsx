import type { Metadata } from "next";
import { openApiDocument } from "@/lib/api/openapi";

export const metadata: Metadata = { title: "StockPulse API" };

// The API reference, rendered on the server from the OpenAPI document (lib/api/openapi.ts): the
// same source as GET /api/v1/openapi.json, nothing fetched, no script.
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: unknown };
type Response = { description: string; content?: Record<string, { schema?: unknown }> };
type Operation = {
  summary: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, Response>;
};

const METHOD_ORDER = ["get", "head", "post", "patch", "put", "delete"];
const anchor = (method: string, path: string) => `${method}-${path.replace(/[^a-z0-9]+/gi, "-")}`;
const schemaName = (schema: unknown) => {
  const target = (schema as { $ref?: string } | undefined)?.$ref;
  return target?.slice(target.lastIndexOf("/") + 1);
};

function SchemaLink({ schema }: { schema: unknown }) {
  const name = schemaName(schema);
  if (name) return <a href={`#schema-${name}`}>{name}</a>;
  return <code className="text-xs">{JSON.stringify(schema)}</code>;
}

function who(security: Operation["security"]) {
  if (!security || security.length === 0) return "anyone";
  const schemes = security.map((requirement) => Object.keys(requirement).join(" + ") || "anyone");
  return schemes.join(" or ");
}

function OperationSection({ method, path, operation }: { method: string; path: string; operation: Operation }) {
  const body = operation.requestBody && Object.entries(operation.requestBody.content)[0];
  return (
    <section
      id={anchor(method, path)}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <h3 className="font-mono text-base font-semibold">
        {method.toUpperCase()} {path}
      </h3>
      <p>{operation.summary}</p>
      {operation.description ? (
        <p className="text-sm whitespace-pre-line text-slate-600 dark:text-slate-300">{operation.description}</p>
      ) : null}
      <p className="text-sm">
        <span className="font-medium">Who:</span> {who(operation.security)}
      </p>
      {operation.parameters?.length ? (
        <table className="w-full text-left text-sm [overflow-wrap:anywhere]">
          <caption className="text-left font-medium">Parameters</caption>
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">in</th>
              <th scope="col">schema</th>
              <th scope="col">meaning</th>
            </tr>
          </thead>
          <tbody>
            {operation.parameters.map((parameter) => (
              <tr
                key={`${parameter.in}-${parameter.name}`}
                className="border-t border-slate-100 align-top dark:border-slate-800"
              >
                <td className="py-1 pr-2 font-mono">
                  {parameter.name}
                  {parameter.required ? " *" : ""}
                </td>
                <td className="py-1 pr-2">{parameter.in}</td>
                <td className="py-1 pr-2">
                  <SchemaLink schema={parameter.schema} />
                </td>
                <td className="py-1">{parameter.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {body ? (
        <p className="text-sm">
          <span className="font-medium">Body</span> ({body[0]}): <SchemaLink schema={body[1].schema} />
        </p>
      ) : null}
      <table className="w-full text-left text-sm [overflow-wrap:anywhere]">
        <caption className="text-left font-medium">Responses</caption>
        <tbody>
          {Object.entries(operation.responses).map(([status, response]) => {
            const content = response.content && Object.entries(response.content)[0];
            return (
              <tr key={status} className="border-t border-slate-100 align-top dark:border-slate-800">
                <th scope="row" className="py-1 pr-2 font-mono">
                  {status}
                </th>
                <td className="py-1 pr-2">{content ? <SchemaLink schema={content[1].schema} /> : "no body"}</td>
                <td className="py-1">{response.description}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export default function ApiReferencePage() {
  const document = openApiDocument();
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .sort(([a], [b]) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b))
      .map(([method, operation]) => ({ path, method, operation: operation as Operation })),
  );
  return (
    <article className="space-y-6 [overflow-wrap:anywhere]">
      <header className="space-y-2">
        <h1 className="text-2xl font-semibold">{String(document.info.title)}</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">{String(document.info.description)}</p>
        <p className="text-sm">
          Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {document.openapi}).
        </p>
      </header>
      <nav aria-label="Routes">
        <ul className="columns-1 text-sm sm:columns-2">
          {operations.map(({ path, method }) => (
            <li key={anchor(method, path)}>
              <a href={`#${anchor(method, path)}`} className="inline-block py-1 font-mono">
                {method.toUpperCase()} {path}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section className="space-y-4" aria-labelledby="routes-heading">
        <h2 id="routes-heading" className="text-xl font-semibold">
          Routes
        </h2>
        {operations.map(({ path, method, operation }) => (
          <OperationSection key={anchor(method, path)} method={method} path={path} operation={operation} />
        ))}
      </section>
      <section className="space-y-4" aria-labelledby="auth-heading">
        <h2 id="auth-heading" className="text-xl font-semibold">
          Credentials
        </h2>
        <dl className="text-sm">
          {Object.entries(document.components.securitySchemes).map(([name, scheme]) => (
            <div key={name} className="py-1">
              <dt className="font-mono font-medium">{name}</dt>
              <dd>{(scheme as { description?: string }).description}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="space-y-4" aria-labelledby="schemas-heading">
        <h2 id="schemas-heading" className="text-xl font-semibold">
          Schemas
        </h2>
        {Object.entries(document.components.schemas).map(([name, schema]) => (
          <section key={name} id={`schema-${name}`} className="space-y-1">
            <h3 className="font-mono font-semibold">{name}</h3>
            {/* Focusable, so a keyboard can scroll a wide schema sideways. */}
            <pre
              tabIndex={0}
              role="region"
              aria-label={`${name} schema`}
              className="overflow-x-auto rounded bg-slate-100 p-3 text-xs dark:bg-slate-800"
            >
              {JSON.stringify(schema, null, 2)}
            </pre>
          </section>
        ))}
      </section>
    </article>
  );
}
