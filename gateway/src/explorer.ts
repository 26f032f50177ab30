import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RouteHandler } from '@heartfelt/kit';

/**
 * The GraphiQL explorer, served entirely from this process: the page, GraphiQL 3 and React 18
 * come from node_modules, so the explorer works with no internet access and loads nothing
 * from a CDN.
 */

const assets = {
  '/explorer/react.js': ['react', 'umd/react.production.min.js', 'text/javascript'],
  '/explorer/react-dom.js': ['react-dom', 'umd/react-dom.production.min.js', 'text/javascript'],
  '/explorer/graphiql.js': ['graphiql', 'graphiql.min.js', 'text/javascript'],
  '/explorer/graphiql.css': ['graphiql', 'graphiql.min.css', 'text/css'],
} as const;

/** Reads a file of an installed package; `exports` maps hide these files from require.resolve. */
function readPackageFile(packageName: string, file: string): Buffer {
  return readFileSync(join(dirname(require.resolve(`${packageName}/package.json`)), file));
}

const DEFAULT_QUERY = `# Welcome to the Heartfelt graph.
# Log in with the demo account, then put the token in Headers as
# {"Authorization": "Bearer <token>"} and run the Dashboard.
mutation LogIn {
  logIn(input: { email: "demo@heartfelt.test", password: "heartfelt-demo" }) {
    token
  }
}

query Dashboard($first: Int = 20) {
  me {
    displayName
    cards(first: $first) {
      edges { node { id status sendAt message
        template { title occasion priceCents }
        sentiment { label score }
        musicSuggestions { title artist }
        order { status amountCents } } }
      pageInfo { hasNextPage endCursor }
    }
  }
  templates(occasion: BIRTHDAY, first: 12) { edges { node { id title priceCents } } }
}
`;

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Heartfelt graph explorer</title>
    <link rel="stylesheet" href="/explorer/graphiql.css" />
    <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the explorer…</div>
    <script src="/explorer/react.js"></script>
    <script src="/explorer/react-dom.js"></script>
    <script src="/explorer/graphiql.js"></script>
    <script src="/explorer/start.js"></script>
  </body>
</html>
`;

const startScript = `(function () {
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  }));
})();
`;

function serve(body: string | Buffer, contentType: string): RouteHandler {
  return (_req, res) => {
    res.writeHead(200, {
      'content-type': `${contentType}; charset=utf-8`,
      'cache-control': 'public, max-age=3600',
    });
    res.end(body);
  };
}

/** Routes of the explorer: the page at `/` and `/explorer`, and its scripts and styles. */
export function explorerRoutes(): Record<string, RouteHandler> {
  const routes: Record<string, RouteHandler> = {
    '/': serve(page, 'text/html'),
    '/explorer': serve(page, 'text/html'),
    '/explorer/start.js': serve(startScript, 'text/javascript'),
  };
  for (const [path, [packageName, file, contentType]] of Object.entries(assets)) {
    routes[path] = serve(readPackageFile(packageName, file), contentType);
  }
  return routes;
}

export const explorerPage: RouteHandler = serve(page, 'text/html');
