import { notAvailableYet } from '@modelgate/github';

await notAvailableYet('deploy', 'gated deploy');
