import { cityWithReports } from './generate.js';
const city = await cityWithReports('satukota_keep', 1_000_000);
await city.ctx.close();
console.log('kept');
