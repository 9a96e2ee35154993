// The link-mic service's public surface for embedding (main/ embeds it; the CLI runs it alone).
export { LinkMicServer, toApiStream, type LinkMicServerEvents, type LinkMicServerOptions, type ReadyInfo } from './link-mic-server';
export { UrlIssuer, DEFAULT_URL_VALIDITY_SEC, type LinkPlayUrls, type MixInput, type UrlIssuerOptions, type IssueOptions } from './url-issuer';
export { parseServerConfig, serverConfigSchema, type ServerConfig, type ServerConfigInput } from './config';
export { createLogger, type Logger, type LogLevel } from '../node/logger';
export { installLastResort } from './net/last-resort';
export type { RouteHandler, RouteMethod, UpgradeHandler } from './http/http-host';
export type * from './origin/origin-types';
export { DEFAULT_LINK_QUOTA, MAX_LINK_QUOTA } from './origin/origin-policy';
