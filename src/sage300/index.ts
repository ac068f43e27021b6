export * from './odata.js';
export * from './schemas.js';
export * from './entities.js';
export * from './errors.js';
export * from './client.js';
