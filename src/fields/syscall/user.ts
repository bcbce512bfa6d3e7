// Fields of the user and group the event's thread runs as (libsinsp's "user" and "group" classes).
import { declareClass } from '../declare.js';

export const userClass = declareClass(
  { name: 'user', desc: 'The user the thread that executed the event runs as.' },
  [
    { name: 'user.uid', type: 'UINT32', desc: 'User id.' },
    { name: 'user.name', type: 'CHARBUF', desc: 'User name.' },
    { name: 'user.homedir', type: 'CHARBUF', desc: 'Home directory of the user.' },
    { name: 'user.shell', type: 'CHARBUF', desc: 'Login shell of the user.' },
    {
      name: 'user.loginuid',
      type: 'INT64',
      desc:
        'Audit user id (auid, the uid the session was opened with). The kernel keeps it as an unsigned 32-bit ' +
        'number whose largest value means unset; that value is given as -1 so that conditions such as ' +
        'user.loginuid=-1 work.',
    },
    { name: 'user.loginname', type: 'CHARBUF', desc: 'Name of the audit user (auid).' },
  ],
);

export const groupClass = declareClass(
  { name: 'group', desc: 'The group the thread that executed the event runs as.' },
  [
    { name: 'group.gid', type: 'UINT32', desc: 'Group id.' },
    { name: 'group.name', type: 'CHARBUF', desc: 'Group name.' },
  ],
);
