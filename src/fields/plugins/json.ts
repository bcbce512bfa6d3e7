// Fields of the json plugin (falcosecurity/plugins `json` 0.7): values of events whose payload is
// JSON (k8s audit events, cloud logs). The plugin names no event source, so Falco offers its
// fields to every source it is loaded with.
import { declareClass, REQUIRED_KEY_ARG } from '../declare.js';

export const jsonPluginClass = declareClass({ name: 'json', plugin: true }, [
  {
    name: 'json.value',
    type: 'CHARBUF',
    arg: REQUIRED_KEY_ARG,
    desc:
      'A value of the JSON payload, chosen with a JSON pointer (RFC 6901) in brackets: json.value[/user/name].',
  },
  { name: 'json.obj', type: 'CHARBUF', desc: 'The whole JSON payload as text.' },
  { name: 'json.rawtime', type: 'CHARBUF', desc: 'Time of the event; the same value as evt.rawtime.' },
  { name: 'jevt.value', type: 'CHARBUF', arg: REQUIRED_KEY_ARG, desc: 'Older name of json.value, kept for old rules.' },
  { name: 'jevt.obj', type: 'CHARBUF', desc: 'Older name of json.obj, kept for old rules.' },
  { name: 'jevt.rawtime', type: 'CHARBUF', desc: 'Older name of json.rawtime, kept for old rules.' },
]);
