export { exportApiMiddleware } from './adapters/express.js';
