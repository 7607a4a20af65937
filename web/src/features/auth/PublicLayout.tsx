import { Box, Center, Group, Paper, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Brand } from '../layout/AppLayout.tsx';
import { LanguageMenu } from '../layout/LanguageMenu.tsx';

/** The frame of the pages used before sign-in: a centred card with the language menu. */
export function PublicLayout({ title, children, width = 420 }: { title: string; children: ReactNode; width?: number }) {
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)" p="md">
      <Group justify="space-between" mb="xl">
        <Brand />
        <LanguageMenu />
      </Group>
      <Center>
        <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={width}>
          <Stack>
            <Title order={2}>{title}</Title>
            {children}
          </Stack>
        </Paper>
      </Center>
    </Box>
  );
}
