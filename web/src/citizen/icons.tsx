// Category icons as inline SVG (emoji fonts differ per phone, and some have none): one simple line
// drawing per `category.icon`, in a 24×24 box.
const P: Record<string, string> = {
  road: 'M8 3 4 21M16 3l4 18M12 4v3M12 10v3M12 16v3',
  lamp: 'M7 21h6M10 21V6a3 3 0 0 1 3-3h3M14 6h6l-1 3h-4z',
  drain: 'M4 6h16v12H4zM8 6v12M12 6v12M16 6v12',
  bridge: 'M2 12h20M4 12v7M20 12v7M4 12a8 6 0 0 1 16 0M8 9v3M12 7v5M16 9v3',
  trash: 'M4 6h16M9 6V4h6v2M6 6l1 14h10l1-14M10 10v7M14 10v7',
  factory: 'M3 21V10l5 3V10l5 3V5h3v16zM3 21h18M18 21V8h3v13',
  park: 'M12 21v-6M12 15a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM7 21h10',
  tree: 'M12 21v-5M12 3 5 13h14zM8 9l-2 3M16 9l2 3',
  flood: 'M3 15c2 2 4 2 6 0s4-2 6 0 4 2 6 0M3 19c2 2 4 2 6 0s4-2 6 0 4 2 6 0M6 12V6l6-3 6 3v6',
  landslide: 'M3 20 10 8l4 6 2-3 5 9zM15 5l2 2M19 4l1 2',
  fire: 'M12 21c-4 0-6-3-6-6 0-4 4-6 4-11 3 2 7 6 7 11 0 3-2 6-5 6zM12 21c-1.5 0-2.5-1.2-2.5-2.6 0-1.8 2.5-3.4 2.5-3.4s2.5 1.6 2.5 3.4c0 1.4-1 2.6-2.5 2.6z',
  police: 'M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6zM9 12l2 2 4-4',
  traffic: 'M5 16V11l2-5h10l2 5v5zM5 16v2M19 16v2M5 11h14M8 14h.01M16 14h.01',
  parking: 'M4 4h16v16H4zM10 17V7h3a3 3 0 0 1 0 6h-3',
  signal: 'M9 2h6v20H9zM12 6h.01M12 12h.01M12 18h.01M9 6H6M9 12H6M15 6h3M15 12h3',
  stall: 'M3 9 5 4h14l2 5zM3 9c0 2 4 2 4 0 0 2 4 2 4 0 0 2 4 2 4 0 0 2 4 2 4 0M5 11v9h14v-9M10 20v-5h4v5',
  water: 'M12 3s6 7 6 11a6 6 0 0 1-12 0c0-4 6-11 6-11z',
  idcard: 'M3 5h18v14H3zM7 10a2 2 0 1 0 4 0 2 2 0 0 0-4 0M6 16c.5-2 2-3 3-3s2.5 1 3 3M14 9h4M14 13h4',
  health: 'M9 3h6v6h6v6h-6v6H9v-6H3V9h6z',
  aid: 'M12 20s-8-5-8-11a4 4 0 0 1 8-1 4 4 0 0 1 8 1c0 6-8 11-8 11z',
  school: 'M3 21h18M5 21V10l7-5 7 5v11M10 21v-5h4v5M12 5V2h3',
  house: 'M3 11 12 3l9 8M5 9v12h14V9M10 21v-6h4v6',
  other: 'M12 21s7-6.5 7-12a7 7 0 0 0-14 0c0 5.5 7 12 7 12zM12 11a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  phone: 'M5 3h4l2 5-3 2a12 12 0 0 0 6 6l2-3 5 2v4a2 2 0 0 1-2 2A17 17 0 0 1 3 5a2 2 0 0 1 2-2z',
  camera: 'M3 8h4l2-3h6l2 3h4v12H3zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  alert: 'M12 3 2 20h20zM12 10v4M12 17h.01',
  check: 'M20 6 9 17l-5-5',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2',
  gps: 'M12 19a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM12 2v3M12 19v3M2 12h3M19 12h3',
  pin: 'M12 21s7-6.5 7-12a7 7 0 0 0-14 0c0 5.5 7 12 7 12zM12 11a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  save: 'M5 3h11l3 3v15H5zM8 3v5h7V3M8 21v-7h8v7',
  thumb: 'M7 11v10H3V11zM7 11l4-8a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2l-2 7a2 2 0 0 1-2 2H7',
};

export function Icon({ name, size = 24, className }: { name: string; size?: number; className?: string }) {
  return (
    <svg
      className={'ct-icon ' + (className ?? '')}
      viewBox="0 0 24 24"
      width={size}
      height={size}
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={P[name] ?? P.other} />
    </svg>
  );
}
