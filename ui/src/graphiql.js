// GraphiQL, bundled with the explorer so it loads with no CDN; it sends the session's API key.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import { post } from './api.js';

async function fetcher(params) {
  const response = await post(params);
  return response.json();
}

createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }));
