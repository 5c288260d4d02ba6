"""Small real chat models for tests: LangChain `BaseChatModel`s that reply by a rule and keep what they were sent."""
import re

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field


class RuleChatModel(BaseChatModel):
    """Streams `reply(messages)` word by word; `sent` keeps every list of messages it was asked with."""

    text: str = ""
    sent: list = Field(default_factory=list)

    def reply(self, messages) -> str:
        return self.text

    @property
    def _llm_type(self) -> str:
        return "rule"

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        self.sent.append(messages)
        for word in re.findall(r"\S+\s*", self.reply(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        text = "".join(chunk.message.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
