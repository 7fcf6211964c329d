import { describe, expect, it } from 'vitest';
import type { Event } from '../src/api';
import { calendarFileName, price, spots } from '../src/format';

// An event with only what the formatters read; `currency` also as an older answer (or cache) had it.
const event = (fields: Omit<Partial<Event>, 'currency'> & { currency?: string | null }) =>
  fields as Event;

describe('spots', () => {
  it('says "spot" for one and "spots" for more, "Full" for none, nothing without a capacity', () => {
    expect(spots(event({ spots_left: 1 }))).toBe('1 spot left');
    expect(spots(event({ spots_left: 2 }))).toBe('2 spots left');
    expect(spots(event({ spots_left: 0 }))).toBe('Full');
    expect(spots(event({ spots_left: null }))).toBeNull();
  });
});

describe('price', () => {
  it('is "Free" at zero, whatever the currency', () => {
    expect(price(event({ price: 0, currency: 'EUR' }))).toBe('Free');
  });

  it("shows the event's currency in the member's locale, with that currency's decimals", () => {
    const euros = price(event({ price: 1234567.89, currency: 'EUR' }));
    expect(euros).toBe(new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR' }).format(1234567.89));
    expect(euros).toMatch(/€|EUR/);
    // The yen has no minor unit: 500, not 500.00.
    const yen = price(event({ price: 500, currency: 'JPY' }));
    expect(yen).toMatch(/¥|JPY/);
    expect(yen).not.toContain('500.00');
  });

  it('falls back to the number alone without a currency, or with one Intl does not take', () => {
    const plain = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(500);
    expect(price(event({ price: 500 }))).toBe(plain);
    expect(price(event({ price: 500, currency: null }))).toBe(plain);
    expect(price(event({ price: 500, currency: 'euro' }))).toBe(plain);
  });
});

describe('calendarFileName', () => {
  // The same cases as the API's community.services.calendar.filename (tests/unit).
  it('is the title in ASCII letters and digits joined by hyphens, accents off, the rest dropped', () => {
    expect(calendarFileName('Welcome meetup', 'e1')).toBe('welcome-meetup.ics');
    expect(calendarFileName("  Café & Crêpes: l'été 2026!  ", 'e1')).toBe('cafe-crepes-l-ete-2026.ics');
    expect(calendarFileName('Straße 🎉 fest', 'e1')).toBe('strae-fest.ics');
  });

  it('is "event-<id>.ics" when nothing of the title is ASCII', () => {
    expect(calendarFileName('أمسية الشعر العربي!', 'EV_42')).toBe('event-ev-42.ics');
    expect(calendarFileName('Встреча', 'abc')).toBe('event-abc.ics');
  });

  it('cuts a long title at 60, at the last word ending in the second half, or mid-word', () => {
    const words = calendarFileName('alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu', 'e');
    expect(words).toBe('alpha-beta-gamma-delta-epsilon-zeta-eta-theta-iota-kappa.ics');
    const word = calendarFileName('Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(2), 'e');
    expect(word).toBe(`${'pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(2).slice(0, 60)}.ics`);
  });
});
