/* ma_idn.h: IDN conversion for the pure C core (libidn2) */
#ifndef MA_IDN_H
#define MA_IDN_H
#include <stdbool.h>
#include <stddef.h>

extern bool ma_name_is_ascii(const char *name);
/* UTF-8 name to its A-label form; NULL on success, else a static message */
extern const char *ma_idn_to_ascii(const char *utf8, char *out, size_t outlen);
#endif
