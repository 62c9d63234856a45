import { describe, expect, it } from '@jest/globals';
import { embeddedIpv4, refusedCategory } from './address-policy.js';

describe('refusedCategory (SSRF address classifier)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
  ])('refuses IPv4 %s as %s', (address, category) => {
    expect(refusedCategory(address)).toBe(category);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '93.184.216.34', '11.0.0.1'])('allows public IPv4 %s', (address) => {
    expect(refusedCategory(address)).toBeNull();
  });

  it.each([
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
  ])('refuses IPv6 %s as %s', (address, category) => {
    expect(refusedCategory(address)).toBe(category);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888'])('allows public IPv6 %s', (address) => {
    expect(refusedCategory(address)).toBeNull();
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:a9fe:a9fe::1', 'link-local'],
  ])('judges IPv4 reached through IPv6 (%s) by its IPv4', (address, category) => {
    expect(refusedCategory(address)).toBe(category);
  });

  it('allows a mapped public IPv4 and reads embedded addresses', () => {
    expect(refusedCategory('::ffff:8.8.8.8')).toBeNull();
    expect(embeddedIpv4('::ffff:c0a8:101')).toBe('192.168.1.1');
    expect(embeddedIpv4('2606:4700::1')).toBeNull();
  });

  it('refuses what is not an address', () => {
    expect(refusedCategory('example.com')).toBe('invalid');
  });
});
