// stompit ships without types; the tests use it dynamically
declare module 'stompit';
