// What the demo CAS releases for any username: enough to show the claim mapping at work, with a
// multi-valued attribute (groups) and a Chinese display name (UTF-8 end to end).

export function demoAttributes(username: string): Record<string, string | string[]> {
  return {
    uid: username,
    mail: `${username}@example.edu`,
    displayName: '张伟',
    givenName: '伟',
    sn: '张',
    memberOf: ['staff', 'demo-users'],
    eduPersonAffiliation: ['member', 'staff'],
  };
}
