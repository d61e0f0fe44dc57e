import { notAvailableYet } from '@modelgate/github';

await notAvailableYet('compare-to-baseline', 'gates and compare-to-baseline');
