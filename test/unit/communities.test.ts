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
    // a credential an outsider signs for itself is refused
    const self = await signObject('credential', { community: state.id, member: outsider.id, role: 'admin', issuedAt: 10 }, outsider.key)
    expect(() => state.add(self)).toThrow(/not an admin/)
    expect(state.roleOf(outsider.id, 20)).toBeUndefined()
    // the creator makes an admin, who admits a member
    state.add(await signObject('credential', { community: state.id, member: admin2.id, role: 'admin', issuedAt: 10 }, creator.key))
    state.add(await signObject('credential', { community: state.id, member: member.id, role: 'reader', issuedAt: 20, expiresAt: 100 }, admin2.key))
    expect(state.roleOf(member.id, 50)).toBe('reader')
    expect(state.mayRead(member.id, 50)).toBe(true)
    expect(state.mayWrite(member.id, 50)).toBe(false)
    expect(state.roleOf(member.id, 100)).toBeUndefined() // expired
    // revoking the second admin ends its admin rights from then on
    state.add(await signObject('revocation', { community: state.id, member: admin2.id, revokedAt: 30, epoch: 2 }, creator.key))
    expect(state.roleOf(admin2.id, 29)).toBe('admin')
    expect(state.roleOf(admin2.id, 31)).toBeUndefined()
    expect(state.epoch()).toBe(2)
    const late = await signObject('credential', { community: state.id, member: outsider.id, role: 'member', issuedAt: 40 }, admin2.key)
    expect(() => state.add(late)).toThrow(/not an admin/)
    // the creator cannot be removed
    await expect(signObject('revocation', { community: state.id, member: creator.id, revokedAt: 50, epoch: 3 }, admin2.key).then(r => state.add(r))).rejects.toThrow(/not an admin|creator/)
    expect(state.members(50).map(m => m.peerId)).toEqual([creator.id, member.id])
  })

  it('adds objects that arrive out of order (an admin credential after what that admin issued)', async () => {
    const creator = await key()
    const admin2 = await key()
    const member = await key()
    const source = await community(creator)
    const c1 = await signObject('credential', { community: source.id, member: admin2.id, role: 'admin', issuedAt: 10 }, creator.key)
    const c2 = await signObject('credential', { community: source.id, member: member.id, role: 'member', issuedAt: 5 }, admin2.key)
    const state = CommunityState.fromGenesis(source.genesis)
    const { added, refused } = state.addAll([c2, c1])
    // c2 was issued before admin2 became an admin: it stays refused, whatever the order
    expect(added.map(a => a.hash)).toEqual([c1.hash])
    expect(refused).toHaveLength(1)
    const c3 = await signObject('credential', { community: source.id, member: member.id, role: 'member', issuedAt: 15 }, admin2.key)
    expect(CommunityState.fromGenesis(source.genesis).addAll([c3, c1]).added).toHaveLength(2)
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
