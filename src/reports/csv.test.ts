import { describe, expect, it } from 'vitest';
import { exact } from '../pricing/exact-json.js';
import { toCsv } from './csv.js';

describe('CSV', () => {
  it('quotes per RFC 4180, writes exact money, guards formulas', () => {
    const csv = toCsv({
      columns: ['name', 'spend', 'note', 'n'],
      rows: [
        ['a,b', exact('0.0000001000'), 'say "hi"\nbye', 3],
        ['=cmd()', exact('-1.5'), null, -2],
      ],
    });
    expect(csv).toBe('name,spend,note,n\r\n"a,b",0.0000001,"say ""hi""\nbye",3\r\n\'=cmd(),-1.5,,-2\r\n');
  });
});
