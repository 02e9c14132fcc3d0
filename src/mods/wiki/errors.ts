import { OaError } from '../../errors.js'

/** A wiki request refused: a bad slug, a page or proposal not found, an author who may not do it. */
export class WikiError extends OaError {
  override readonly name = 'WikiError'
}
