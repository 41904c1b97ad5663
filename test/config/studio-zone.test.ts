import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadSettings } from '../../config/settings.js';

const zoneOf = (raw: string) => loadSettings({ STUDIO_TIME_ZONE: raw }).studio.timeZone;

describe('STUDIO_TIME_ZONE', () => {
  it('keeps the name the studio wrote, even where ICU knows it by an older link', () => {
    expect(zoneOf('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(zoneOf('Europe/Kyiv')).toBe('Europe/Kyiv');
  });

  it('mends letter case and spaces to the zone’s own spelling', () => {
    expect(zoneOf(' europe/london ')).toBe('Europe/London');
  });

  it('refuses a zone ICU does not know', () => {
    expect(() => zoneOf('Mars/Olympus')).toThrow(ConfigurationError);
  });
});
