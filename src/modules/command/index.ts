/** The command center's public face: the live stream hub, to which other modules add their layers. */
export { LiveHub, type LiveLayer } from './live.js';
