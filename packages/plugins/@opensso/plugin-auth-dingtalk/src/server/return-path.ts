export { sanitizeReturnPath } from '../return-path';
