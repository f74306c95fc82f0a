// GraphiQL, bundled with the explorer so it loads with no CDN; it sends the session's API key.
// Its schema comes from /ui/schema.graphql: the standard introspection query is priced above the
// server's cost budget (every list counted at 20 items, nested four deep).
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { buildSchema } from 'graphql';
import 'graphiql/graphiql.css';
import { post, request } from './api.js';
import { element } from './dom.js';
/** @import { GraphiQLProps } from 'graphiql' */

/** @type {GraphiQLProps['fetcher']} */
async function fetcher(params) {
  const response = await post(params);
  return response.json();
}

async function start() {
  const response = await request('/ui/schema.graphql');
  const schema = response.ok ? buildSchema(await response.text()) : undefined;
  createRoot(element('graphiql', HTMLDivElement)).render(React.createElement(GraphiQL, { fetcher, schema, defaultEditorToolsVisibility: true }));
}

start();
