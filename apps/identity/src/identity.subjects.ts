/** RPC subjects the identity service answers. Internal to the platform (not the public event contract). */
export const IdentityRpc = Object.freeze({
  bootstrapAdmin: 'rpc.identity.admin.bootstrap',
});
