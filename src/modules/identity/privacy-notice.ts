import type { Language } from '../../platform/errors.js';

/**
 * The privacy notice a citizen accepts before registering (UU PDP No. 27/2022: what is collected,
 * why, who sees it, how long, their rights). Changing the text means a new version.
 */
export const PRIVACY_NOTICE_VERSION = '2026-11';

const sections: Record<Language, { heading: string; body: string }[]> = {
  id: [
    {
      heading: 'Data yang kami kumpulkan',
      body: 'NIK, nama lengkap, tanggal lahir dan nomor HP Anda; nanti juga alamat dan laporan yang Anda kirim.',
    },
    {
      heading: 'Untuk apa',
      body: 'Untuk memastikan satu akun untuk satu warga, menghubungi Anda tentang laporan dan layanan Anda, dan menindaklanjutinya. Data Anda tidak dijual dan tidak dipakai untuk iklan.',
    },
    {
      heading: 'Siapa yang dapat melihatnya',
      body: 'Hanya petugas pemerintah kota yang menangani laporan atau layanan Anda, dan hanya sebatas yang diperlukan. Di semua tampilan NIK dan nomor HP disamarkan; setiap kali data lengkap dibuka, tercatat dalam jejak audit yang tidak dapat diubah.',
    },
    {
      heading: 'Bagaimana dilindungi',
      body: 'Data pribadi disimpan terenkripsi (AES-256) di server milik pemerintah kota dan tidak ditulis ke log.',
    },
    {
      heading: 'Hak Anda',
      body: 'Sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, Anda berhak mengakses, memperbaiki dan meminta penghapusan data Anda, serta menarik persetujuan, melalui Diskominfo kota.',
    },
  ],
  en: [
    { heading: 'What we collect', body: 'Your NIK, full name, birth date and phone number; later also your address and the reports you send.' },
    {
      heading: 'Why',
      body: 'To keep one account per resident, to contact you about your reports and services, and to follow them up. Your data is not sold and not used for advertising.',
    },
    {
      heading: 'Who sees it',
      body: 'Only the city officers who handle your report or service, and only as far as needed. NIK and phone are masked in every view; every reveal of full data is recorded in a tamper-evident audit trail.',
    },
    { heading: 'How it is protected', body: "Personal data is stored encrypted (AES-256) on the city government's own server and never written to logs." },
    {
      heading: 'Your rights',
      body: 'Under Law No. 27 of 2022 on Personal Data Protection you may access, correct and ask to delete your data, and withdraw consent, through the city Diskominfo.',
    },
  ],
};

export function privacyNotice(lang: Language) {
  return {
    version: PRIVACY_NOTICE_VERSION,
    title: lang === 'id' ? 'Pemberitahuan Privasi' : 'Privacy Notice',
    sections: sections[lang],
  };
}
