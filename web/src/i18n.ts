// All user-facing strings of the web app, in Bahasa Indonesia (default) and English.
// The chosen language is kept in localStorage and sent with every API call (Accept-Language).
import { useSyncExternalStore } from 'react';

export type Lang = 'id' | 'en';

const id = {
  product: 'SatuKota',
  skipToContent: 'Langsung ke isi',
  switchLang: 'English',
  switchLangLabel: 'Switch to English',
  navHome: 'Beranda',
  navLogin: 'Masuk',
  navAccount: 'Akun saya',
  loading: 'Memuat…',
  demoBanner: 'Mode demo — data di sini bukan data asli.',
  footer: 'SatuKota — perangkat lunak bebas untuk pemerintah daerah.',

  // errors that the client makes itself (the server's own messages are shown as they come)
  errNetwork: 'Tidak dapat terhubung. Periksa koneksi internet Anda lalu coba lagi.',
  errServer: 'Terjadi gangguan di server. Coba lagi sebentar lagi.',
  tryAgain: 'Coba lagi',

  // landing
  heroTitle: 'Satu pintu untuk warga',
  heroCity: (city: string) => `Layanan digital ${city}, dalam satu akun.`,
  heroLead: 'Laporkan masalah di sekitar Anda, pantau tindak lanjutnya sampai selesai, dan — segera — urus layanan administrasi dari rumah.',
  doorReportTitle: 'Lapor',
  doorReportBody: 'Jalan rusak, sampah menumpuk, lampu jalan mati? Kirim laporan dengan foto dan lokasi.',
  doorFollowTitle: 'Pantau',
  doorFollowBody: 'Setiap laporan diteruskan ke dinas yang bertanggung jawab, punya tenggat, dan bisa Anda ikuti.',
  doorServicesTitle: 'Layanan daring',
  doorServicesBody: 'Pengajuan dokumen dan antrean layanan tanpa harus bolak-balik ke kantor.',
  soon: 'Segera',
  ctaRegister: 'Daftar dengan NIK',
  ctaLogin: 'Masuk',
  ctaAccount: 'Buka akun saya',
  officerNote: 'Petugas?',
  officerLink: 'Masuk di sini',

  // login
  loginTitle: 'Masuk',
  loginAs: 'Masuk sebagai',
  tabCitizen: 'Warga',
  tabOfficer: 'Petugas',
  nik: 'NIK',
  nikHint: '16 angka, sesuai KTP elektronik.',
  username: 'Nama pengguna',
  password: 'Kata sandi',
  showPassword: 'Tampilkan',
  hidePassword: 'Sembunyikan',
  showPasswordLabel: 'Tampilkan kata sandi',
  loginSubmit: 'Masuk',
  loginBusy: 'Sedang masuk…',
  noAccount: 'Belum punya akun?',
  registerLink: 'Daftar sekarang',

  // register
  registerTitle: 'Daftar akun warga',
  stepOf: (n: number, total: number) => `Langkah ${n} dari ${total}`,
  privacyLoading: 'Memuat pemberitahuan privasi…',
  privacyVersion: (v: string) => `Versi ${v}`,
  consentLabel: 'Saya telah membaca pemberitahuan privasi ini dan menyetujui pemrosesan data pribadi saya sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi.',
  consentRequired: 'Centang persetujuan untuk melanjutkan.',
  continue: 'Lanjut',
  back: 'Kembali',
  consentGiven: (v: string) => `Anda menyetujui pemberitahuan privasi versi ${v}.`,
  fullName: 'Nama lengkap',
  fullNameHint: 'Sesuai KTP.',
  birthDate: 'Tanggal lahir',
  phone: 'Nomor HP',
  phoneHint: 'Nomor seluler Indonesia, mis. 0812xxxxxxxx. Kode verifikasi dikirim lewat SMS.',
  passwordNew: 'Kata sandi',
  passwordHint: 'Minimal 8 karakter.',
  registerSubmit: 'Daftar',
  registerBusy: 'Mendaftarkan…',
  haveAccount: 'Sudah punya akun?',
  loginLink: 'Masuk',

  // client-side checks
  vNikRequired: 'Masukkan NIK.',
  vNik16: 'NIK terdiri dari 16 angka.',
  vUsernameRequired: 'Masukkan nama pengguna.',
  vPasswordRequired: 'Masukkan kata sandi.',
  vPasswordMin: 'Kata sandi minimal 8 karakter.',
  vNameRequired: 'Masukkan nama lengkap.',
  vBirthRequired: 'Masukkan tanggal lahir.',
  vBirthFuture: 'Tanggal lahir tidak boleh di masa depan.',
  vPhoneRequired: 'Masukkan nomor HP.',
  vPhone: 'Nomor HP tidak valid. Contoh: 081234567890.',
  vCode6: 'Kode terdiri dari 6 angka.',

  // verification
  verifyTitle: 'Verifikasi nomor HP',
  verifyLead: (phone: string) => `Kami mengirim kode 6 angka lewat SMS ke ${phone}.`,
  verifyLeadNoPhone: 'Kami mengirim kode 6 angka lewat SMS ke nomor HP Anda.',
  code: 'Kode verifikasi',
  verifySubmit: 'Verifikasi',
  verifyBusy: 'Memeriksa…',
  noCode: 'Tidak menerima kode?',
  resend: 'Kirim ulang kode',
  resendIn: (s: number) => `Kirim ulang dalam ${s} detik`,
  resent: 'Kode baru telah dikirim.',
  alreadyVerified: 'Nomor HP Anda sudah terverifikasi.',
  verifiedNow: 'Nomor HP berhasil diverifikasi. Terima kasih!',

  // account
  accountTitle: 'Akun saya',
  name: 'Nama',
  phoneVerified: 'Terverifikasi',
  phoneNotVerified: 'Belum terverifikasi',
  verifyNow: 'Verifikasi sekarang',
  statusLabel: 'Status akun',
  logout: 'Keluar',
  logoutBusy: 'Keluar…',
  accountComingSoon: 'Fitur lapor dan layanan daring akan segera tersedia di sini.',
  claimTitle: 'Ada yang mengklaim NIK Anda',
  claimPending: (unit: string, date: string) =>
    `Pada ${date}, seseorang menunjukkan KTP di ${unit} dan menyatakan bahwa NIK ini miliknya. Koordinator pengaduan akan memutuskan. Jika NIK ini milik Anda, ajukan keberatan di bawah ini.`,
  claimUnitUnknown: 'kantor pemerintah kota',
  claimObjectionLabel: 'Keberatan Anda',
  claimObjectionHint: 'Jelaskan mengapa NIK ini milik Anda (minimal 10 karakter). Koordinator membacanya sebelum memutuskan.',
  claimObjectionSend: 'Kirim keberatan',
  claimObjectionBusy: 'Mengirim…',
  claimObjectionTooShort: 'Tulis keberatan minimal 10 karakter.',
  claimObjected: (date: string) => `Keberatan Anda telah diterima pada ${date}. Koordinator akan menghubungi Anda.`,
  roles: {
    citizen: 'Warga',
    admin: 'Admin Diskominfo',
    coordinator: 'Koordinator pengaduan',
    pimpinan: 'Pimpinan',
    command: 'Operator command center',
    officer: 'Petugas',
  } as Record<string, string>,
  heads: {
    city: 'Kepala daerah',
    opd: 'Kepala OPD',
    kecamatan: 'Camat',
    kelurahan: 'Lurah',
  } as Record<string, string>,
  statuses: {
    active: 'Aktif',
    pending: 'Menunggu',
    suspended: 'Ditangguhkan',
    disabled: 'Nonaktif',
  } as Record<string, string>,

  // 404
  notFoundTitle: 'Halaman tidak ditemukan',
  notFoundBody: 'Maaf, alamat yang Anda buka tidak ada atau sudah dipindahkan.',
  notFoundHome: 'Kembali ke beranda',
};

export type Dict = typeof id;

const en: Dict = {
  product: 'SatuKota',
  skipToContent: 'Skip to content',
  switchLang: 'Indonesia',
  switchLangLabel: 'Ganti ke Bahasa Indonesia',
  navHome: 'Home',
  navLogin: 'Log in',
  navAccount: 'My account',
  loading: 'Loading…',
  demoBanner: 'Demo mode — the data here is not real.',
  footer: 'SatuKota — free software for local government.',

  errNetwork: 'Cannot connect. Check your internet connection and try again.',
  errServer: 'Something went wrong on the server. Please try again shortly.',
  tryAgain: 'Try again',

  heroTitle: 'One door for citizens',
  heroCity: (city: string) => `The digital services of ${city}, in one account.`,
  heroLead: 'Report problems around you, follow them up until they are fixed, and — soon — apply for public services from home.',
  doorReportTitle: 'Report',
  doorReportBody: 'Broken road, piled-up rubbish, street light out? Send a report with a photo and the location.',
  doorFollowTitle: 'Follow up',
  doorFollowBody: 'Every report goes to the agency responsible, has a deadline, and you can follow it.',
  doorServicesTitle: 'Online services',
  doorServicesBody: 'Apply for documents and book a service queue without going back and forth to the office.',
  soon: 'Soon',
  ctaRegister: 'Register with your NIK',
  ctaLogin: 'Log in',
  ctaAccount: 'Open my account',
  officerNote: 'Officer?',
  officerLink: 'Log in here',

  loginTitle: 'Log in',
  loginAs: 'Log in as',
  tabCitizen: 'Citizen',
  tabOfficer: 'Officer',
  nik: 'NIK (national ID number)',
  nikHint: '16 digits, as on your e-KTP.',
  username: 'Username',
  password: 'Password',
  showPassword: 'Show',
  hidePassword: 'Hide',
  showPasswordLabel: 'Show password',
  loginSubmit: 'Log in',
  loginBusy: 'Logging in…',
  noAccount: 'No account yet?',
  registerLink: 'Register now',

  registerTitle: 'Register a citizen account',
  stepOf: (n: number, total: number) => `Step ${n} of ${total}`,
  privacyLoading: 'Loading the privacy notice…',
  privacyVersion: (v: string) => `Version ${v}`,
  consentLabel: 'I have read this privacy notice and consent to the processing of my personal data under Law No. 27 of 2022 on Personal Data Protection (UU PDP).',
  consentRequired: 'Tick the consent box to continue.',
  continue: 'Continue',
  back: 'Back',
  consentGiven: (v: string) => `You accepted privacy notice version ${v}.`,
  fullName: 'Full name',
  fullNameHint: 'As on your KTP.',
  birthDate: 'Date of birth',
  phone: 'Mobile number',
  phoneHint: 'An Indonesian mobile number, e.g. 0812xxxxxxxx. A verification code is sent by SMS.',
  passwordNew: 'Password',
  passwordHint: 'At least 8 characters.',
  registerSubmit: 'Register',
  registerBusy: 'Registering…',
  haveAccount: 'Already have an account?',
  loginLink: 'Log in',

  vNikRequired: 'Enter your NIK.',
  vNik16: 'The NIK has 16 digits.',
  vUsernameRequired: 'Enter your username.',
  vPasswordRequired: 'Enter your password.',
  vPasswordMin: 'The password needs at least 8 characters.',
  vNameRequired: 'Enter your full name.',
  vBirthRequired: 'Enter your date of birth.',
  vBirthFuture: 'The date of birth cannot be in the future.',
  vPhoneRequired: 'Enter your mobile number.',
  vPhone: 'This mobile number is not valid. Example: 081234567890.',
  vCode6: 'The code has 6 digits.',

  verifyTitle: 'Verify your mobile number',
  verifyLead: (phone: string) => `We sent a 6-digit code by SMS to ${phone}.`,
  verifyLeadNoPhone: 'We sent a 6-digit code by SMS to your mobile number.',
  code: 'Verification code',
  verifySubmit: 'Verify',
  verifyBusy: 'Checking…',
  noCode: 'No code received?',
  resend: 'Send the code again',
  resendIn: (s: number) => `Send again in ${s} s`,
  resent: 'A new code has been sent.',
  alreadyVerified: 'Your mobile number is already verified.',
  verifiedNow: 'Your mobile number is verified. Thank you!',

  accountTitle: 'My account',
  name: 'Name',
  phoneVerified: 'Verified',
  phoneNotVerified: 'Not verified',
  verifyNow: 'Verify now',
  statusLabel: 'Account status',
  logout: 'Log out',
  logoutBusy: 'Logging out…',
  accountComingSoon: 'Reporting and online services will soon be available here.',
  claimTitle: 'Someone claims your NIK',
  claimPending: (unit: string, date: string) =>
    `On ${date}, someone showed a KTP at ${unit} and said this NIK is theirs. The complaint coordinator will decide. If this NIK is yours, object below.`,
  claimUnitUnknown: 'a city office',
  claimObjectionLabel: 'Your objection',
  claimObjectionHint: 'Explain why this NIK is yours (at least 10 characters). The coordinator reads it before deciding.',
  claimObjectionSend: 'Send objection',
  claimObjectionBusy: 'Sending…',
  claimObjectionTooShort: 'Write at least 10 characters.',
  claimObjected: (date: string) => `Your objection was received on ${date}. The coordinator will contact you.`,
  roles: {
    citizen: 'Citizen',
    admin: 'Diskominfo administrator',
    coordinator: 'Complaint coordinator',
    pimpinan: 'Leadership (pimpinan)',
    command: 'Command center operator',
    officer: 'Officer',
  },
  heads: {
    city: 'Head of region',
    opd: 'Head of agency (OPD)',
    kecamatan: 'Camat',
    kelurahan: 'Lurah',
  },
  statuses: {
    active: 'Active',
    pending: 'Pending',
    suspended: 'Suspended',
    disabled: 'Disabled',
  },

  notFoundTitle: 'Page not found',
  notFoundBody: 'Sorry, the address you opened does not exist or has moved.',
  notFoundHome: 'Back to the home page',
};

const dicts: Record<Lang, Dict> = { id, en };
const STORAGE_KEY = 'sk_lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'id' || saved === 'en') return saved;
  } catch {
    // storage may be unavailable (private mode); fall back to the default
  }
  return 'id';
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // ignore: the choice then lasts for this page only
  }
  document.documentElement.lang = lang;
  for (const l of listeners) l();
}

/** Strings of the current language, outside React (e.g. in api.ts). */
export function strings(): Dict {
  return dicts[current];
}

function subscribe(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** The current language and its strings; re-renders when the language changes. */
export function useI18n(): { lang: Lang; t: Dict } {
  const lang = useSyncExternalStore(subscribe, getLang, getLang);
  return { lang, t: dicts[lang] };
}

document.documentElement.lang = current;
