// The command map's layer registry. Each layer (reports today; agency feeds, sensors, CCTV later)
// registers itself once with an id, a label and a factory; the map creates every registered layer,
// lists them in its layer switcher, and asks each to refresh when the map moves or live data arrives.
import type L from 'leaflet';
import type { City } from '../api';
import type { CommandStrings } from './strings';

export interface LayerContext {
  map: L.Map;
  city: City;
  strings: CommandStrings;
  /** The kelurahan boundaries (GeoJSON FeatureCollection), already loaded by the map. */
  boundaries: GeoJSON.FeatureCollection | null;
}

/** What the map is told of a report from the live stream. */
export interface LivePoint {
  id: string;
  trackingNo: string;
  lat: number;
  lng: number;
  emergency: boolean;
  /** First seen now (not a change of one already shown). */
  isNew: boolean;
}

export interface LayerInstance {
  /** What the map adds and removes (a layer group, a GeoJSON layer, …). */
  layer: L.Layer;
  /** Reload this layer's data for the current view (map moved, live event arrived). */
  refresh?: () => void | Promise<void>;
  /** A report arrived on the live stream (new or changed). */
  onReport?: (r: LivePoint) => void;
  dispose?: () => void;
}

export interface LayerDefinition {
  id: string;
  /** Drawn in this order: lower first (boundaries under markers). */
  order: number;
  label: (s: CommandStrings) => string;
  /** Shown when the map opens. */
  defaultOn: boolean;
  create: (ctx: LayerContext) => LayerInstance;
}

const registry = new Map<string, LayerDefinition>();

/** Adds a layer kind to every command map (a later registration with the same id replaces it). */
export function registerLayer(def: LayerDefinition): void {
  registry.set(def.id, def);
}

export function registeredLayers(): LayerDefinition[] {
  return [...registry.values()].sort((a, b) => a.order - b.order);
}
