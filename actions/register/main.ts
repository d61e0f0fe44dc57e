import { notAvailableYet } from '@modelgate/github';

await notAvailableYet('register', 'the model registry');
