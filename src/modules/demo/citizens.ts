/** Three citizens with valid NIKs issued in Kota Cilegon (digits 7–12: birth date, +40 for women). */
export const DEMO_CITIZENS = [
  { nik: '3672011708900001', name: 'Ahmad Fauzi', birthDate: '1990-08-17', phone: '081234560001' },
  { nik: '3672074503850002', name: 'Siti Rahmawati', birthDate: '1985-03-05', phone: '081234560002' },
  { nik: '3672080112010003', name: 'Rizky Pratama', birthDate: '2001-12-01', phone: '081234560003' },
];
