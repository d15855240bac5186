import { RouteTable } from './route-table.js';

describe(RouteTable.name, () => {
  const table = new RouteTable();
  table.add('/v1/chat/completions', 'POST');
  table.add('/v1/admin/tenants', 'POST');
  table.add('/v1/admin/tenants', ['GET', 'HEAD']);
  table.add('/v1/admin/tenants/:id', ['GET', 'HEAD']);
  table.add('/v1/admin/tenants/:id', 'PATCH');
  table.add('/v1/admin/tenants/:id', 'DELETE');
  table.add('/v1/models/*', 'GET');

  it('lists the other methods of a static route, in the usual order', () => {
    expect(table.allowedMethods('/v1/chat/completions', 'GET')).toEqual(['POST']);
    expect(table.allowedMethods('/v1/admin/tenants', 'PUT')).toEqual(['GET', 'POST']);
  });

  it('matches parameterised and wildcard routes against concrete paths', () => {
    expect(table.allowedMethods('/v1/admin/tenants/acme', 'PUT')).toEqual([
      'GET',
      'PATCH',
      'DELETE',
    ]);
    expect(table.allowedMethods('/v1/models/mock/fast', 'POST')).toEqual(['GET']);
  });

  it('finds nothing for an unknown path or a parameter spanning segments', () => {
    expect(table.allowedMethods('/v1/nothing', 'GET')).toEqual([]);
    expect(table.allowedMethods('/v1/admin/tenants/a/b', 'PUT')).toEqual([]);
  });
});
