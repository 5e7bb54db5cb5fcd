/** The application version, shown by /health and in the OpenAPI document. */
export const APP_VERSION = '0.1.0';
