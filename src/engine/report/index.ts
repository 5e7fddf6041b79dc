/** The HTML report (issue 9 §5): inline SVG charts and the page built from the report's figures. */
export * from './html.js';
export * from './schedule.js';
export * from './svg.js';
