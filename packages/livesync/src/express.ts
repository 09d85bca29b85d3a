export { type LivesyncMiddleware, type LivesyncMiddlewareOptions, livesyncMiddleware } from './adapters/express.js';
