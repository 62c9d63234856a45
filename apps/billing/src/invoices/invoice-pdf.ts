import PDFDocument from 'pdfkit';
import type { Invoice } from './invoice.entity.js';
import { invoiceNumber } from './invoice.view.js';

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 100);
}

function day(d: Date | string | null): string {
  return d ? new Date(d).toISOString().slice(0, 10) : '';
}

/**
 * Renders an invoice as an A4 PDF a person can read: seller and buyer, number and dates, one row per
 * line, then subtotal, tax and total. Everything printed comes from the invoice row as issued.
 */
export function renderInvoicePdf(inv: Invoice): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoiceNumber(inv)}`, Author: inv.seller.name, Subject: invoiceNumber(inv) } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    const left = 50;
    const right = 545;
    doc.font('Helvetica-Bold').fontSize(20).text(inv.seller.name, left, 50);
    doc.font('Helvetica').fontSize(9).fillColor('#555555');
    for (const line of inv.seller.address) doc.text(line);
    doc.fillColor('#000000');

    doc.font('Helvetica-Bold').fontSize(16).text('INVOICE', 350, 50, { width: right - 350, align: 'right' });
    doc.font('Helvetica').fontSize(10);
    const meta: Array<[string, string]> = [
      ['Number', invoiceNumber(inv)],
      ['Issued', day(inv.issuedAt)],
      ['Due', day(inv.dueDate)],
      ['Status', inv.status.toUpperCase()],
      ['Period', `${day(inv.periodStart)} – ${day(inv.periodEnd)}`],
    ];
    let y = 75;
    for (const [k, v] of meta) {
      doc.font('Helvetica-Bold').text(`${k}:`, 350, y, { width: 60 });
      doc.font('Helvetica').text(v, 410, y, { width: right - 410, align: 'right' });
      y += 14;
    }

    y = Math.max(doc.y, y) + 25;
    doc.font('Helvetica-Bold').fontSize(10).text('Bill to', left, y);
    doc.font('Helvetica').text(inv.buyer.name);
    for (const line of (inv.buyer.billing_address ?? '').split(/\r?\n|,\s*/).filter(Boolean)) doc.text(line);
    if (inv.buyer.country) doc.text(inv.buyer.country);
    if (inv.buyer.email) doc.text(inv.buyer.email);

    y = doc.y + 25;
    const cols = { description: left, qty: 330, unit: 380, amount: 465 };
    doc.rect(left, y - 4, right - left, 18).fill('#eeeeee').fillColor('#000000');
    doc.font('Helvetica-Bold').fontSize(9);
    doc.text('Description', cols.description + 4, y, { width: 270 });
    doc.text('Qty', cols.qty, y, { width: 40, align: 'right' });
    doc.text('Unit price', cols.unit, y, { width: 75, align: 'right' });
    doc.text('Amount', cols.amount, y, { width: right - cols.amount - 4, align: 'right' });
    y += 20;
    doc.font('Helvetica').fontSize(9);
    for (const line of inv.lines) {
      const period = line.period_start && line.period_end ? `\n${day(line.period_start)} – ${day(line.period_end)}` : '';
      const height = doc.heightOfString(`${line.description}${period}`, { width: 270 });
      doc.text(`${line.description}${period}`, cols.description + 4, y, { width: 270 });
      doc.text(String(line.quantity), cols.qty, y, { width: 40, align: 'right' });
      doc.text(money(line.unit_amount, inv.currency), cols.unit, y, { width: 75, align: 'right' });
      doc.text(money(line.amount, inv.currency), cols.amount, y, { width: right - cols.amount - 4, align: 'right' });
      y += Math.max(height, 12) + 6;
      doc.moveTo(left, y - 3).lineTo(right, y - 3).strokeColor('#dddddd').stroke();
    }

    y += 10;
    const totals: Array<[string, string, boolean]> = [
      ['Subtotal', money(inv.subtotal, inv.currency), false],
      [`Tax (${(inv.taxRateBp / 100).toFixed(2)} %${inv.buyer.country ? `, ${inv.buyer.country}` : ''})`, money(inv.tax, inv.currency), false],
      ['Total', money(inv.total, inv.currency), true],
      ['Paid', money(inv.amountPaid, inv.currency), false],
      ['Amount due', money(inv.status === 'open' || inv.status === 'uncollectible' ? inv.total - inv.amountPaid : 0, inv.currency), true],
    ];
    for (const [label, value, bold] of totals) {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
      doc.text(label, 330, y, { width: 130, align: 'right' });
      doc.text(value, cols.amount, y, { width: right - cols.amount - 4, align: 'right' });
      y += 16;
    }

    doc.font('Helvetica').fontSize(8).fillColor('#777777');
    doc.text(`Amounts in ${inv.currency}. Plan ${inv.plan} (version ${inv.planVersion}). Invoice ${invoiceNumber(inv)}.`, left, 770, { width: right - left, align: 'center' });
    doc.end();
  });
}
