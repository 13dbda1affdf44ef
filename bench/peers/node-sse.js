#!/usr/bin/env node
// SSE peer server for the OrderStream benchmarks, on Node's http module only.
// Routes and frame format match OrderStream:
//   GET  /orders/{orderId}/events  text/event-stream: "retry: 3000", then order.update events
//   POST /orders/{orderId}/events  JSON body {"status": ..., "details": {...}}, response 202 {"id": N}
// Usage: node node-sse.js [--host 127.0.0.1] [--port 8090] [--heartbeat-seconds 15]
'use strict';

const http = require('http');

const ORDER_PATH = /^\/orders\/([A-Za-z0-9_-]{1,64})\/events$/;
const MAX_BODY_BYTES = 64 * 1024;

function parseArguments(argv) {
  const settings = { host: '127.0.0.1', port: 8090, heartbeatSeconds: 15 };
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) {
      throw new Error(`option ${name} is missing its value`);
    }
    if (name === '--host') {
      settings.host = value;
    } else if (name === '--port') {
      settings.port = Number.parseInt(value, 10);
    } else if (name === '--heartbeat-seconds') {
      settings.heartbeatSeconds = Number.parseFloat(value);
    } else {
      throw new Error(`unknown option ${name}`);
    }
  }
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) {
    throw new Error(`invalid --port ${settings.port}`);
  }
  return settings;
}

const settings = parseArguments(process.argv);

// orderId -> Set of ServerResponse
const subscribersByOrder = new Map();
let nextEventId = 1;
let subscriberCount = 0;

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function subscribe(orderId, req, res) {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
  });
  res.write('retry: 3000\n\n');

  let subscribers = subscribersByOrder.get(orderId);
  if (!subscribers) {
    subscribers = new Set();
    subscribersByOrder.set(orderId, subscribers);
  }
  subscribers.add(res);
  subscriberCount += 1;

  res.on('close', () => {
    subscribers.delete(res);
    subscriberCount -= 1;
    if (subscribers.size === 0 && subscribersByOrder.get(orderId) === subscribers) {
      subscribersByOrder.delete(orderId);
    }
  });
}

function publish(orderId, req, res) {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      tooLarge = true;
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (tooLarge) {
      sendJson(res, 413, { error: `request body larger than ${MAX_BODY_BYTES} bytes` });
      return;
    }
    let update;
    try {
      update = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      sendJson(res, 400, { error: `invalid JSON body: ${error.message}` });
      return;
    }
    if (update === null || typeof update !== 'object' || typeof update.status !== 'string') {
      sendJson(res, 400, { error: 'body must be an object with a string "status"' });
      return;
    }

    const id = nextEventId;
    nextEventId += 1;
    const event = {
      orderId,
      status: update.status,
      stage: typeof update.stage === 'string' ? update.stage : '',
      message: typeof update.message === 'string' ? update.message : '',
      details: update.details !== null && typeof update.details === 'object' ? update.details : {},
      time: new Date().toISOString(),
      source: 'api',
    };
    const frame = `id: ${id}\nevent: order.update\ndata: ${JSON.stringify(event)}\n\n`;

    // NOTE: frames for a slow subscriber queue in Node's write buffer without limit. This peer
    // never drops an event and never responds with 503.
    const subscribers = subscribersByOrder.get(orderId);
    if (subscribers) {
      for (const subscriber of subscribers) {
        subscriber.write(frame);
      }
    }
    sendJson(res, 202, { id });
  });
}

const server = http.createServer({ noDelay: true }, (req, res) => {
  const path = req.url.split('?', 1)[0];
  const match = ORDER_PATH.exec(path);
  if (!match) {
    sendJson(res, 404, { error: `no route for ${path}` });
    return;
  }
  if (req.method === 'GET') {
    subscribe(match[1], req, res);
  } else if (req.method === 'POST') {
    publish(match[1], req, res);
  } else {
    res.setHeader('Allow', 'GET, POST');
    sendJson(res, 405, { error: `method ${req.method} not allowed` });
  }
});

// Streams stay open for the whole run, and publish connections idle between scenario phases.
server.keepAliveTimeout = 120 * 1000;
server.headersTimeout = 125 * 1000;
server.requestTimeout = 0;

const heartbeat = setInterval(() => {
  for (const subscribers of subscribersByOrder.values()) {
    for (const subscriber of subscribers) {
      subscriber.write(': heartbeat\n\n');
    }
  }
}, settings.heartbeatSeconds * 1000);
heartbeat.unref();

server.on('error', (error) => {
  console.error(`node-sse: server error: ${error.message}`);
  process.exit(1);
});

server.listen({ host: settings.host, port: settings.port, backlog: 4096 }, () => {
  console.error(`node-sse: listening on ${settings.host}:${settings.port} (pid ${process.pid})`);
});

function shutdown(signal) {
  console.error(`node-sse: ${signal} received, stopping with ${subscriberCount} open streams`);
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
