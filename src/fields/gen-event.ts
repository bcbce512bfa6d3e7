// The generic event fields every source has (libsinsp's "evt (All event types)" class): event
// number, timestamps, source and plugin information, host name.
//
// JSON output note: evt.time, evt.time.s, evt.time.iso8601, evt.datetime and evt.datetime.s render
// in JSON as the event timestamp in nanoseconds (a number), and the rawtime/reltime fields as plain
// numbers, not as their text forms.
import { declareClass } from './declare.js';

export const genEventClass = declareClass(
  {
    name: 'evt',
    shortDesc: 'All event types',
    desc: 'Fields every event has, whatever its source.',
  },
  [
    { name: 'evt.num', type: 'UINT64', desc: 'Sequence number of the event.' },
    { name: 'evt.time', type: 'CHARBUF', desc: 'Event timestamp as a time of day with the nanoseconds.' },
    { name: 'evt.time.s', type: 'CHARBUF', desc: 'Event timestamp as a time of day, without the nanoseconds.' },
    {
      name: 'evt.time.iso8601',
      type: 'CHARBUF',
      desc: 'Event timestamp in ISO 8601 format (UTC), with the nanoseconds and the time zone offset.',
    },
    { name: 'evt.datetime', type: 'CHARBUF', desc: 'Event timestamp as date and time of day, with the nanoseconds.' },
    { name: 'evt.datetime.s', type: 'CHARBUF', desc: 'Event timestamp as date and time of day, without the nanoseconds.' },
    { name: 'evt.rawtime', type: 'ABSTIME', desc: 'Event timestamp in nanoseconds since the epoch.' },
    { name: 'evt.rawtime.s', type: 'ABSTIME', desc: 'Whole seconds of the event timestamp since the epoch.' },
    {
      name: 'evt.rawtime.ns',
      type: 'ABSTIME',
      printFormat: 'PADDED_DEC',
      desc: 'Nanoseconds part of the event timestamp (below one second).',
    },
    {
      name: 'evt.reltime',
      type: 'RELTIME',
      printFormat: 'PADDED_DEC',
      desc: 'Nanoseconds elapsed between the start of the capture and the event.',
    },
    { name: 'evt.reltime.s', type: 'RELTIME', desc: 'Whole seconds elapsed between the start of the capture and the event.' },
    {
      name: 'evt.reltime.ns',
      type: 'RELTIME',
      printFormat: 'PADDED_DEC',
      desc: 'Nanoseconds part (below one second) of the time elapsed since the start of the capture.',
    },
    {
      name: 'evt.pluginname',
      type: 'CHARBUF',
      desc: 'For events of a plugin event source, the name of the (loaded) plugin that produced the event.',
    },
    {
      name: 'evt.plugininfo',
      type: 'CHARBUF',
      desc: 'For events of a plugin event source, a one-line summary of the event written by the (loaded) plugin.',
    },
    { name: 'evt.source', type: 'CHARBUF', desc: 'Name of the event source the event comes from.' },
    { name: 'evt.is_async', type: 'BOOL', desc: "'true' for events generated asynchronously (not by a system call), 'false' otherwise." },
    { name: 'evt.asynctype', type: 'CHARBUF', desc: "For asynchronous events, the kind of event (for instance 'container')." },
    {
      name: 'evt.hostname',
      type: 'CHARBUF',
      desc:
        'Name of the host the event was observed on. An environment variable (FALCO_HOSTNAME) overrides it, ' +
        'which in Kubernetes lets a DaemonSet report the node name (spec.nodeName) instead of the pod name.',
    },
  ],
);
