/** The web application on a Node HTTP server, on the loopback interface: how `npm start` serves it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createWebApp } from './app.ts';
import { connectProvider } from './sign-in.ts';

export interface WebServerOptions {
  readonly apiUrl: string;
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly rolesClaim: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface WebServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = await connectProvider({
    issuerUrl: options.issuerUrl,
    clientId: options.clientId,
    redirectUri: `${url}/auth/callback`,
    signedOutUri: `${url}/signed-out`,
    rolesClaim: options.rolesClaim,
  });
  const app = createWebApp({ apiUrl: options.apiUrl, provider, publicUrl: url });
  server.on('request', getRequestListener(app.fetch));
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
