import { describe, expect, it } from 'vitest';
import { eventOf } from '../src/startParam';
import raw from './start-params.json?raw';

// The backend's own vectors (tests/unit/test_applinks.py reads the same file).
const vectors = JSON.parse(raw) as { opens: [string, string][]; refused: string[] };

describe('a direct link\'s start parameter', () => {
  it('opens the event the backend wrote into it', () => {
    for (const [param, id] of vectors.opens) expect(eventOf(param), param).toBe(id);
  });

  it('opens no event for a referral code or anything malformed', () => {
    for (const param of vectors.refused) expect(eventOf(param), param).toBeNull();
    expect(eventOf(null)).toBeNull();
  });
});
