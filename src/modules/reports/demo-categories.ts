import type { CategoryInput } from './categories.js';

/**
 * The demo city's report categories: problems Indonesian cities really receive, each routed to the
 * Cilegon OPD that answers for it. Deadlines are working days (verify, dispatch, resolve); the two
 * emergency categories count hours around the clock.
 */
const d = (verify: number, dispatch: number, resolve: number) => ({ verify, dispatch, resolve });
const severity = {
  code: 'tingkat',
  label: { id: 'Tingkat kerusakan', en: 'Severity' },
  datatype: 'singlevaluelist' as const,
  required: true,
  order: 1,
  values: [
    { key: 'ringan', name: { id: 'Ringan', en: 'Minor' } },
    { key: 'sedang', name: { id: 'Sedang', en: 'Moderate' } },
    { key: 'berat', name: { id: 'Berat', en: 'Severe' } },
  ],
};

const categories: CategoryInput[] = [
  {
    code: 'jalan-rusak', name: { id: 'Jalan rusak / berlubang', en: 'Damaged road / pothole' }, group: 'infrastruktur', icon: 'road',
    agencyCode: 'dpupr', firstHandler: 'kelurahan', deadlines: d(1, 2, 10),
    questions: [severity, { code: 'lebar_lubang_cm', label: { id: 'Perkiraan lebar lubang (cm)', en: 'Approximate width of the hole (cm)' }, datatype: 'number', required: false, order: 2 }],
  },
  {
    code: 'lampu-jalan', name: { id: 'Lampu jalan (PJU) mati', en: 'Street light out' }, group: 'infrastruktur', icon: 'lamp',
    agencyCode: 'dishub', firstHandler: 'kelurahan', deadlines: d(1, 1, 5),
    questions: [{ code: 'nomor_tiang', label: { id: 'Nomor tiang (jika terlihat)', en: 'Pole number (if visible)' }, datatype: 'string', required: false, order: 1 }],
  },
  { code: 'drainase', name: { id: 'Saluran air / drainase tersumbat', en: 'Blocked drain' }, group: 'infrastruktur', icon: 'drain', agencyCode: 'dpupr', firstHandler: 'kelurahan', deadlines: d(1, 2, 7) },
  { code: 'jembatan', name: { id: 'Jembatan rusak', en: 'Damaged bridge' }, group: 'infrastruktur', icon: 'bridge', agencyCode: 'dpupr', firstHandler: 'opd', deadlines: d(1, 1, 14), questions: [severity] },
  {
    code: 'sampah', name: { id: 'Sampah menumpuk / tidak diangkut', en: 'Trash piling up / not collected' }, group: 'lingkungan', icon: 'trash',
    agencyCode: 'dlh', firstHandler: 'kelurahan', deadlines: d(1, 1, 3),
    questions: [
      {
        code: 'jenis_sampah', label: { id: 'Jenis sampah', en: 'Kind of waste' }, datatype: 'multivaluelist', required: false, order: 1,
        values: [
          { key: 'rumah_tangga', name: { id: 'Rumah tangga', en: 'Household' } },
          { key: 'plastik', name: { id: 'Plastik', en: 'Plastic' } },
          { key: 'b3', name: { id: 'Bahan berbahaya (B3)', en: 'Hazardous' } },
          { key: 'puing', name: { id: 'Puing bangunan', en: 'Rubble' } },
        ],
      },
    ],
  },
  { code: 'pencemaran', name: { id: 'Pencemaran udara / air / limbah', en: 'Air / water pollution, effluent' }, group: 'lingkungan', icon: 'factory', agencyCode: 'dlh', firstHandler: 'opd', deadlines: d(1, 1, 10) },
  { code: 'taman-kota', name: { id: 'Taman kota / ruang terbuka hijau rusak', en: 'Damaged park / green space' }, group: 'lingkungan', icon: 'park', agencyCode: 'dlh', firstHandler: 'kelurahan', deadlines: d(2, 2, 10) },
  {
    code: 'banjir', name: { id: 'Banjir / genangan', en: 'Flooding' }, group: 'bencana', icon: 'flood', agencyCode: 'bpbd', firstHandler: 'opd', deadlines: d(1, 1, 2),
    questions: [{ code: 'tinggi_air_cm', label: { id: 'Tinggi air (cm)', en: 'Water depth (cm)' }, datatype: 'number', required: true, order: 1 }],
  },
  { code: 'pohon-tumbang', name: { id: 'Pohon tumbang / rawan tumbang', en: 'Fallen or leaning tree' }, group: 'bencana', icon: 'tree', agencyCode: 'bpbd', firstHandler: 'opd', deadlines: d(1, 1, 2) },
  { code: 'longsor', name: { id: 'Tanah longsor', en: 'Landslide' }, group: 'bencana', icon: 'landslide', agencyCode: 'bpbd', firstHandler: 'opd', deadlines: d(1, 1, 3) },
  {
    code: 'kebakaran', name: { id: 'Kebakaran', en: 'Fire' }, group: 'darurat', icon: 'fire', agencyCode: 'damkar', firstHandler: 'opd', emergency: true, deadlines: d(0.25, 0.25, 6),
    description: { id: 'Darurat: hubungi 112 terlebih dahulu.', en: 'Emergency: call 112 first.' },
  },
  {
    code: 'kejahatan', name: { id: 'Kejahatan / gangguan keamanan', en: 'Crime / security threat' }, group: 'darurat', icon: 'police', agencyCode: 'polres-cilegon', firstHandler: 'opd', emergency: true, deadlines: d(0.5, 0.5, 24),
    description: { id: 'Darurat: hubungi 112 terlebih dahulu.', en: 'Emergency: call 112 first.' },
  },
  { code: 'kemacetan', name: { id: 'Kemacetan lalu lintas', en: 'Traffic jam' }, group: 'transportasi', icon: 'traffic', agencyCode: 'dishub', firstHandler: 'opd', deadlines: d(1, 1, 2) },
  { code: 'parkir-liar', name: { id: 'Parkir liar', en: 'Illegal parking' }, group: 'transportasi', icon: 'parking', agencyCode: 'dishub', firstHandler: 'opd', deadlines: d(1, 1, 3) },
  { code: 'rambu-lalu-lintas', name: { id: 'Rambu / lampu lalu lintas rusak', en: 'Broken traffic sign or signal' }, group: 'transportasi', icon: 'signal', agencyCode: 'dishub', firstHandler: 'opd', deadlines: d(1, 1, 5) },
  { code: 'pkl-ketertiban', name: { id: 'PKL / ketertiban umum', en: 'Street vendors / public order' }, group: 'ketertiban', icon: 'stall', agencyCode: 'satpolpp', firstHandler: 'kelurahan', deadlines: d(1, 1, 5) },
  {
    code: 'air-bersih', name: { id: 'Air bersih (PDAM) mati / bocor', en: 'Water supply cut / leaking main' }, group: 'layanan-dasar', icon: 'water', agencyCode: 'pdam', firstHandler: 'opd', deadlines: d(1, 1, 3),
    questions: [{ code: 'nomor_pelanggan', label: { id: 'Nomor pelanggan PDAM', en: 'PDAM customer number' }, datatype: 'string', required: false, order: 1 }],
  },
  { code: 'adminduk', name: { id: 'Layanan dokumen kependudukan (KTP, KK, akta)', en: 'Population documents (KTP, KK, certificates)' }, group: 'layanan-publik', icon: 'idcard', agencyCode: 'disdukcapil', firstHandler: 'opd', deadlines: d(1, 1, 5) },
  { code: 'faskes', name: { id: 'Layanan fasilitas kesehatan (puskesmas)', en: 'Health facility service' }, group: 'layanan-publik', icon: 'health', agencyCode: 'dinkes', firstHandler: 'opd', deadlines: d(1, 1, 7) },
  { code: 'bansos', name: { id: 'Bantuan sosial tidak tepat sasaran / belum diterima', en: 'Social assistance not received / mistargeted' }, group: 'layanan-publik', icon: 'aid', agencyCode: 'dinsos', firstHandler: 'kelurahan', deadlines: d(2, 2, 14) },
  { code: 'sekolah', name: { id: 'Sarana sekolah / pendidikan', en: 'School facilities' }, group: 'layanan-publik', icon: 'school', agencyCode: 'disdik', firstHandler: 'opd', deadlines: d(2, 2, 14) },
  { code: 'rumah-tidak-layak', name: { id: 'Rumah tidak layak huni / permukiman kumuh', en: 'Unfit housing / slum area' }, group: 'layanan-publik', icon: 'house', agencyCode: 'disperkim', firstHandler: 'kelurahan', deadlines: d(2, 3, 20) },
];

export const DEMO_CATEGORIES: CategoryInput[] = categories.map((c, i) => ({ ...c, sortOrder: (i + 1) * 10 }));
