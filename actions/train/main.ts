import { notAvailableYet } from '@modelgate/github';

await notAvailableYet('train', 'training on self-hosted GPU runners');
