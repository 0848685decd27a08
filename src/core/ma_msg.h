/*-------------------------------------------------------------------------
 *
 * ma_msg.h
 *	  Small helpers on raw RFC 5322 messages for the mailauth core: the
 *	  header fields of a message and the domains of its From addresses.
 *	  (The full address parser comes with header hygiene.)
 *
 *-------------------------------------------------------------------------
 */
#ifndef MA_MSG_H
#define MA_MSG_H

#include <stdbool.h>
#include <stddef.h>

#define MA_MSG_MAX_FROM		16	/* From domains collected at most */

/*
 * The lowercased domains of every address in every From field of the
 * message's header block (duplicates removed, at most MA_MSG_MAX_FROM), into
 * out[] (each at least 256 bytes).  Returns how many; *nfields gets the
 * number of From fields.
 */
extern int	ma_msg_from_domains(const char *msg, size_t len, char out[][256], int max,
								int *nfields);

/*
 * The unfolded value of the first header field called name (case-
 * insensitive) into out (NUL-terminated, truncated); false when absent.
 */
extern bool ma_msg_header(const char *msg, size_t len, const char *name, char *out,
						  size_t outlen);

#endif							/* MA_MSG_H */
