import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it } from 'vitest'
import { decrypt, encrypt, openSealed, sealTo } from '../../src/communities/crypto.js'
import { readCommunityFiles, writeCommunityFile } from '../../src/communities/files.js'
import { formatInvite, parseInvite } from '../../src/communities/invite.js'
import { Keyring } from '../../src/communities/keyring.js'
import { CommunityObjectError, communityIdOf, signObject, verifyObject } from '../../src/communities/objects.js'
import { CommunityState } from '../../src/communities/state.js'
import { tempDir } from '../helpers/tmp.js'
import type { PrivateKey } from '@libp2p/interface'

const T0 = 1_700_000_000_000
const HOUR = 3_600_000
const te = new TextEncoder()
const td = new TextDecoder()

async function key (): Promise<{ key: PrivateKey, id: string }> {
  const k = await generateKeyPair('Ed25519')
  return { key: k, id: peerIdFromPrivateKey(k).toString() }
}

async function community (creator: { key: PrivateKey, id: string }, createdAt = 1_000): Promise<CommunityState> {
  const genesis = await signObject('genesis', { v: 1, name: 'vault', policy: 'private', creator: creator.id, createdAt, nonce: '0'.repeat(32) }, creator.key)
  return CommunityState.fromGenesis(genesis)
}

describe('community objects and membership rules', () => {
  it('derives the community id from the genesis, and refuses a genesis not signed by its creator', async () => {
    const a = await key()
    const b = await key()
    const state = await community(a)
    expect(state.id).toBe(communityIdOf(state.genesis.object))
    expect(state.id).toMatch(/^c[0-9a-f]{40}$/)
    const forged = await signObject('genesis', { v: 1, name: 'vault', policy: 'private', creator: a.id, createdAt: 1, nonce: '1'.repeat(32) }, b.key)
    expect(() => CommunityState.fromGenesis(forged)).toThrow(/not signed by its creator/)
  })

  it('verifies signatures and shapes of objects from outside', async () => {
    const a = await key()
    const state = await community(a)
    const cred = await signObject('credential', { community: state.id, member: a.id, role: 'member', issuedAt: 5 }, a.key)
    await expect(verifyObject(cred.object)).resolves.toMatchObject({ kind: 'credential', signer: a.id })
    const tampered = { ...cred.object, body: te.encode(td.decode(cred.object.body).replace('"role":"member"', '"role":"admin"')) }
    await expect(verifyObject(tampered)).rejects.toThrow(/signature is not valid/)
    await expect(verifyObject({ ...cred.object, kind: 'crown' })).rejects.toThrow(/unknown community object kind/)
    await expect(verifyObject({ ...cred.object, body: te.encode('{"community":"x"}') })).rejects.toThrow(CommunityObjectError)
  })

  it('accepts credentials only from admins, follows admin chains, and honours revocations and expiry', async () => {
    const creator = await key()
    const admin2 = await key()
    const member = await key()
    const outsider = await key()
    const state = await community(creator)
    const at = (hours: number): number => T0 + hours * HOUR
    // a credential an outsider signs for itself is refused
    const self = await signObject('credential', { community: state.id, member: outsider.id, role: 'admin', issuedAt: at(1) }, outsider.key)
    expect(() => state.add(self)).toThrow(/not an admin/)
    expect(state.roleOf(outsider.id, at(2))).toBeUndefined()
    // the creator makes an admin, who admits a reader until hour 10
    state.add(await signObject('credential', { community: state.id, member: admin2.id, role: 'admin', issuedAt: at(1) }, creator.key))
    state.add(await signObject('credential', { community: state.id, member: member.id, role: 'reader', issuedAt: at(2), expiresAt: at(10) }, admin2.key))
    expect(state.roleOf(member.id, at(5))).toBe('reader')
    expect(state.mayRead(member.id, at(5))).toBe(true)
    expect(state.mayWrite(member.id, at(5))).toBe(false)
    expect(state.roleOf(member.id, at(10))).toBeUndefined() // expired
    // removing the second admin ends its admin rights from then on; what it issued before stays (the removal keeps it)
    state.add(await signObject('revocation', { community: state.id, member: admin2.id, revokedAt: at(3), epoch: 2, keep: state.issuedBy(admin2.id) }, creator.key))
    expect(state.roleOf(admin2.id, at(2))).toBe('admin')
    expect(state.roleOf(admin2.id, at(4))).toBeUndefined()
    expect(state.roleOf(member.id, at(5))).toBe('reader')
    expect(state.epoch()).toBe(2)
    const late = await signObject('credential', { community: state.id, member: outsider.id, role: 'member', issuedAt: at(4) }, admin2.key)
    state.add(late)
    expect(state.roleOf(outsider.id, at(5))).toBeUndefined()
    // the creator cannot be removed
    await expect(signObject('revocation', { community: state.id, member: creator.id, revokedAt: at(5), epoch: 3 }, admin2.key).then(r => state.add(r))).rejects.toThrow(/creator/)
    expect(state.members(at(5)).map(m => m.peerId)).toEqual([creator.id, member.id])
  })

  it('a removed admin cannot backdate what it signs: credentials and removals dated before its removal and not kept by it do not count', async () => {
    const creator = await key()
    const rogue = await key()
    const victim = await key()
    const sock = await key()
    const state = await community(creator)
    const at = (hours: number): number => T0 + hours * HOUR
    state.add(await signObject('credential', { community: state.id, member: rogue.id, role: 'admin', issuedAt: at(1) }, creator.key))
    state.add(await signObject('credential', { community: state.id, member: victim.id, role: 'member', issuedAt: at(1) }, creator.key))
    const kept = await signObject('credential', { community: state.id, member: sock.id, role: 'reader', issuedAt: at(2) }, rogue.key)
    state.add(kept)
    state.add(await signObject('revocation', { community: state.id, member: rogue.id, revokedAt: at(10), epoch: 2, keep: state.issuedBy(rogue.id) }, creator.key))
    // signed after its removal, dated before it
    state.add(await signObject('credential', { community: state.id, member: sock.id, role: 'admin', issuedAt: at(9) }, rogue.key))
    state.add(await signObject('revocation', { community: state.id, member: victim.id, revokedAt: at(9), epoch: 3 }, rogue.key))
    expect(state.roleOf(sock.id, at(11))).toBe('reader')
    expect(state.roleOf(victim.id, at(11))).toBe('member')
    expect(state.roleOf(rogue.id, at(11))).toBeUndefined()
  })

  it('two admins removing each other at the same moment are both removed, in whatever order the removals arrive', async () => {
    const creator = await key()
    const a = await key()
    const b = await key()
    const source = await community(creator)
    const at = (hours: number): number => T0 + hours * HOUR
    const credA = await signObject('credential', { community: source.id, member: a.id, role: 'admin', issuedAt: at(1) }, creator.key)
    const credB = await signObject('credential', { community: source.id, member: b.id, role: 'admin', issuedAt: at(1) }, creator.key)
    const aRemovesB = await signObject('revocation', { community: source.id, member: b.id, revokedAt: at(5), epoch: 2 }, a.key)
    const bRemovesA = await signObject('revocation', { community: source.id, member: a.id, revokedAt: at(5), epoch: 2 }, b.key)
    for (const order of [[credA, credB, aRemovesB, bRemovesA], [credB, credA, bRemovesA, aRemovesB]]) {
      const state = CommunityState.fromGenesis(source.genesis)
      for (const o of order) state.add(o)
      expect([state.roleOf(a.id, at(6)), state.roleOf(b.id, at(6))]).toEqual([undefined, undefined])
      expect(state.members(at(6)).map(m => m.peerId)).toEqual([creator.id])
    }
  })

  it('adds objects that arrive out of order (an admin credential after what that admin issued)', async () => {
    const creator = await key()
    const admin2 = await key()
    const member = await key()
    const source = await community(creator)
    const at = (hours: number): number => T0 + hours * HOUR
    const c1 = await signObject('credential', { community: source.id, member: admin2.id, role: 'admin', issuedAt: at(10) }, creator.key)
    const early = await signObject('credential', { community: source.id, member: member.id, role: 'member', issuedAt: at(5) }, admin2.key)
    const later = await signObject('credential', { community: source.id, member: member.id, role: 'member', issuedAt: at(15) }, admin2.key)
    // issued before admin2 became an admin: it never counts, whatever the order
    const state = CommunityState.fromGenesis(source.genesis)
    expect(() => state.add(early)).toThrow(/not an admin/)
    state.add(c1)
    expect(state.roleOf(member.id, at(12))).toBeUndefined()
    // issued after: it counts, whatever the order
    const other = CommunityState.fromGenesis(source.genesis)
    expect(() => other.add(later)).toThrow(/not an admin/)
    other.add(c1)
    expect(other.roleOf(member.id, at(16))).toBe('member')
    expect(CommunityState.fromGenesis(source.genesis).addAll([later, c1]).added).toHaveLength(2)
  })

  it('accepts a bearer invite only from an admin, for this community, before it expires', async () => {
    const creator = await key()
    const outsider = await key()
    const state = await community(creator)
    const good = await signObject('bearer', { community: state.id, role: 'member', issuedAt: 1, expiresAt: 1000, nonce: 'a'.repeat(32) }, creator.key)
    const forged = await signObject('bearer', { community: state.id, role: 'admin', issuedAt: 1, nonce: 'b'.repeat(32) }, outsider.key)
    expect(state.bearerValid(good, 500)).toBe(true)
    expect(state.bearerValid(good, 1000)).toBe(false)
    expect(state.bearerValid(forged, 500)).toBe(false)
  })
})

describe('community keys', () => {
  it('seals to one peer: only its key opens it', async () => {
    const a = await key()
    const b = await key()
    const box = sealTo(a.id, te.encode('epoch key'), 'aad')
    expect(td.decode(openSealed(a.key, box, 'aad'))).toBe('epoch key')
    expect(() => openSealed(b.key, box, 'aad')).toThrow()
    expect(() => openSealed(a.key, box, 'other aad')).toThrow()
  })

  it('encrypts with the newest epoch and opens older epochs; changed bytes or aad do not open', () => {
    const k1 = new Uint8Array(32).fill(1)
    const k2 = new Uint8Array(32).fill(2)
    const ring = new Keyring(new Uint8Array(32).fill(9), new Map([[1, k1]]))
    const old = ring.seal('env|1', te.encode('old'))
    const next = ring.withEpoch(2, k2)
    const fresh = next.seal('env|2', te.encode('new'))
    expect(fresh.epoch).toBe(2)
    expect(td.decode(next.open('env|1', 1, old.bytes))).toBe('old')
    expect(() => ring.open('env|2', 2, fresh.bytes)).toThrow(/no key for epoch 2/)
    const flipped = Uint8Array.from(fresh.bytes)
    flipped[30] = (flipped[30] ?? 0) ^ 1
    expect(() => next.open('env|2', 2, flipped)).toThrow()
    expect(() => next.open('env|3', 2, fresh.bytes)).toThrow()
    expect(() => decrypt(k1, encrypt(k2, te.encode('x'), 'a'), 'a')).toThrow()
  })

  it('two keys for one epoch (two admins removing at once): members holding both seal alike and open either', () => {
    const secret = new Uint8Array(32).fill(9)
    const a = new Keyring(secret, new Map([[2, new Uint8Array(32).fill(3)]]))
    const b = new Keyring(secret, new Map([[2, new Uint8Array(32).fill(4)]]))
    const fromA = a.seal('env|x', te.encode('by admin a'))
    const fromB = b.seal('env|y', te.encode('by admin b'))
    const ab = new Keyring(secret, new Map()).withEpoch(2, new Uint8Array(32).fill(3))
    expect(ab.merge(b)).toBe(true)
    const ba = new Keyring(secret, new Map()).withEpoch(2, new Uint8Array(32).fill(4))
    expect(ba.merge(a)).toBe(true)
    expect(ba.merge(a)).toBe(false)
    for (const ring of [ab, ba]) {
      expect(td.decode(ring.open('env|x', 2, fromA.bytes))).toBe('by admin a')
      expect(td.decode(ring.open('env|y', 2, fromB.bytes))).toBe('by admin b')
    }
    // both rings seal with the same key, whatever order they learned the keys in
    expect(td.decode(a.open('env|z', 2, ab.seal('env|z', te.encode('z')).bytes))).toBe('z')
    expect(td.decode(a.open('env|z', 2, ba.seal('env|z', te.encode('z')).bytes))).toBe('z')
  })

  it('a grant carries every key up to its epoch and opens only for its member', async () => {
    const member = await key()
    const other = await key()
    const ring = new Keyring(new Uint8Array(32).fill(7), new Map([[1, new Uint8Array(32).fill(1)], [2, new Uint8Array(32).fill(2)]]))
    const grant = { community: `c${'0'.repeat(40)}`, member: member.id, epoch: 2, box: ring.sealFor(`c${'0'.repeat(40)}`, member.id, 2) }
    const opened = Keyring.openGrant(grant, member.key)
    expect(opened.epoch).toBe(2)
    expect(opened.has(1)).toBe(true)
    expect(opened.wireName('x')).toBe(ring.wireName('x'))
    expect(() => Keyring.openGrant(grant, other.key)).toThrow()
    expect(() => Keyring.openGrant({ ...grant, epoch: 3 }, member.key)).toThrow()
  })
})

describe('invites and community files', () => {
  let cleanup: (() => Promise<void>) | undefined
  afterEach(async () => { await cleanup?.() })

  it('an invite is one line that reads back; a damaged one names the problem', async () => {
    const a = await key()
    const state = await community(a)
    const bearer = await signObject('bearer', { community: state.id, role: 'member', issuedAt: 1, nonce: 'c'.repeat(32) }, a.key)
    const line = formatInvite({ genesis: state.genesis.object, addrs: ['/ip4/127.0.0.1/tcp/1/p2p/' + a.id], objects: [], bearer: bearer.object })
    expect(line).toMatch(/^oa-invite:[A-Za-z0-9_-]+$/)
    const back = parseInvite(line)
    expect(communityIdOf(back.genesis)).toBe(state.id)
    expect(back.bearer?.signer).toBe(a.id)
    expect(() => parseInvite('hello')).toThrow(/starts with "oa-invite:"/)
    expect(() => parseInvite(line.slice(0, -10))).toThrow(/damaged/)
  })

  it('keeps community files at 0600 in a 0700 folder and reads them back', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    const a = await key()
    const state = await community(a)
    state.add(await signObject('credential', { community: state.id, member: a.id, role: 'member', issuedAt: 2 }, a.key))
    await writeCommunityFile(dir.path, state.id, state.objects())
    const [file] = await readCommunityFiles(dir.path)
    expect(file?.id).toBe(state.id)
    expect(file?.objects).toHaveLength(2)
    expect((await stat(join(dir.path, 'communities', `${state.id}.json`))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir.path, 'communities'))).mode & 0o777).toBe(0o700)
  })
})
