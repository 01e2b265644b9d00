/**
 * Sources hand bytes on and never know the store's tables: local files, S3 (listing and fetching
 * a trail's objects), and SQS (notifications and the queue).
 */
export * from './files/index.js';
export * from './s3/index.js';
export * from './sqs/notification.js';
export * from './sqs/poller.js';
