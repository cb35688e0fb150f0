import Type from 'typebox'

/** An integer variable with bounds and a default. */
export const Integer = (minimum: number, maximum: number, value: number) =>
  Type.Integer({ minimum, maximum, default: value })

/** A fraction such as a utilisation, 0 (off) to 1. */
export const Fraction = (value: number) => Type.Number({ minimum: 0, maximum: 1, default: value })

export const isProduction = (env: Readonly<Record<string, unknown>>) => env.NODE_ENV === 'production'
