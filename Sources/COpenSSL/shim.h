#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>

// EVP_PKEY_PUBLIC_KEY is a macro built from other macros, which Swift does not import:
// the selection for EVP_PKEY_fromdata when building a public key (SSO's JWKS keys).
static const int MK_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;
