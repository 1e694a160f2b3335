import { readFileSync } from 'node:fs';

/** A CAS response from spec/fixtures/cas/ (real django-cas-server answers unless named crafted-*). */
export const fixture = (name: string): string => readFileSync(new URL(`../fixtures/cas/${name}`, import.meta.url), 'utf8');
